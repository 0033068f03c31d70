"""Bad input: a clear error and exit 2, never a crash or a silent pass."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contentgen.compliance import MAX_CHARS, RulePack, check_text
from contentgen.kernel.errors import UnknownIdentifierError, UsageError


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_refused(text: str, packs: list[RulePack]) -> None:
    with pytest.raises(UsageError, match="empty"):
        check_text(text, locale="zh-CN", packs=packs)


def test_oversized_text_names_the_limit(packs: list[RulePack]) -> None:
    with pytest.raises(UsageError, match=f"{MAX_CHARS:,}"):
        check_text("好" * (1024 * 1024), locale="zh-CN", packs=packs)


def test_control_characters_are_refused(packs: list[RulePack]) -> None:
    with pytest.raises(UsageError, match="U\\+0000 at character 2"):
        check_text("ab\x00cd", locale="zh-CN", packs=packs)


@pytest.mark.parametrize(("kw", "kind"), [
    ({"locale": "fr-FR"}, "locale"), ({"locale": "zh-CN", "industry": "casino"}, "industry"),
    ({"locale": "zh-CN", "channel": "fax"}, "channel"), ({"locale": "zh-CN", "segment": "vip"}, "segment"),
])
def test_unknown_identifiers(kw: dict[str, str], kind: str, packs: list[RulePack]) -> None:
    with pytest.raises(UnknownIdentifierError, match=f"unknown {kind}"):
        check_text("hello", packs=packs, **kw)


@pytest.mark.parametrize(("content", "needle"), [
    (b"", "empty"),
    (b"\xe4\xbd\xa0\xff\xfe", "not valid UTF-8 at byte offset 3"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "NUL byte at byte offset 8"),
    ("好".encode() * (MAX_CHARS + 10), "limit is 200,000"),
    (b"\x7fELF\x01\x01\x01", "control character U+007F"),
])
def test_cli_bad_files_exit_2_with_one_line(content: bytes, needle: str, run_cli: Callable[..., tuple[int, str, str]],
                                            write: Callable[[str, bytes], Path]) -> None:
    path = write("in.txt", content)
    code, out, err = run_cli("check", str(path), "--locale", "zh-CN")
    assert code == 2
    assert needle in err and str(path) in err
    assert err.startswith("Error: ") and err.count("\n") == 1 and "Traceback" not in err


def test_cli_one_megabyte_on_stdin(run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = run_cli("check", "-", "--locale", "zh-CN", stdin=b"a" * (1024 * 1024))
    assert code == 2 and "limit is 200,000" in err


@pytest.mark.parametrize("args", [
    ["check", "-", "--locale", "xx-XX"], ["check", "-", "--locale", "zh-CN", "--industry", "casino"],
    ["check", "-"], ["check", "missing-file.txt", "--locale", "zh-CN"],
    ["check", "-", "--locale", "zh-CN", "--write"],
])
def test_cli_usage_errors(args: list[str], run_cli: Callable[..., tuple[int, str, str]]) -> None:
    code, _, err = run_cli(*args, stdin="最好".encode())
    assert code == 2 and err.strip() and "Traceback" not in err
