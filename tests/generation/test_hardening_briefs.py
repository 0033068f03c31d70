"""JSON Lines briefs split on '\\n' only: U+2028 and friends inside a brief are text (issue 10, item 19)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from contentgen.briefs_file import load_jobs

BRIEF = {"industry": "food", "segment": "new.mass", "content_type": "push", "channel": "app_push"}


# What str.splitlines breaks on that json.dumps(ensure_ascii=False) writes raw inside strings.
@pytest.mark.parametrize("sep", ["\u2028", "\u2029", "\x85"])
def test_unicode_line_separators_inside_a_brief_are_accepted(tmp_path: Path, sep: str) -> None:
    f = tmp_path / "briefs.jsonl"
    lines = [
        json.dumps({**BRIEF, "product": f"燕麦{sep}脆"}, ensure_ascii=False),
        json.dumps({**BRIEF, "product": "坚果礼盒"}, ensure_ascii=False),
        '{"industry": "food", "segment": "new.mass", "content_type": "push", "channel": "moments", '
        '"product": "Bad"}',
        "{not json",
    ]
    f.write_text("\n".join(lines) + "\n", encoding="utf-8")
    jobs, failures = load_jobs(f)
    assert [j.brief.product for j in jobs] == [f"燕麦{sep}脆", "坚果礼盒"]
    assert [j.source for j in jobs] == [f"{f}:1", f"{f}:2"]
    # Line numbers are the file's own: the separator did not start a line.
    assert [x.source for x in failures] == [f"{f}:3", f"{f}:4"]
    assert "invalid JSON" in failures[1].error


def test_crlf_files_still_read_line_by_line(tmp_path: Path) -> None:
    f = tmp_path / "briefs.jsonl"
    body = json.dumps({**BRIEF, "product": "燕麦脆"}, ensure_ascii=False)
    f.write_bytes((body + "\r\n\r\n" + body.replace("燕麦脆", "坚果") + "\r\n").encode())
    jobs, failures = load_jobs(f)
    assert not failures
    assert [(j.brief.product, j.source) for j in jobs] == [("燕麦脆", f"{f}:1"), ("坚果", f"{f}:3")]
