"""What was sent is what was approved (issue 15, item 7): the comparison, the finding, the
re-check, the reviewer's queue, the audit event, and the flag performance joins on."""

from __future__ import annotations

from typing import Any

import pytest

from contentgen.kernel.config import ROOT
from contentgen.kernel.errors import UsageError
from contentgen.testing_pg import dump_text
from library import Library, sent_text
from library._db import immediate
from library.errors import PermissionDenied
from library.payloads import PayloadRenderer
from library.performance import performance
from library.sent_text_compare import RECIPIENT, compare, normalise, payload_text
from library.store import no_checker

APPROVED = "好久不见，新品氨基酸洁面乳上市，回复1领取试用装。"


@pytest.fixture
def renderer() -> PayloadRenderer:
    return PayloadRenderer(ROOT / "templates")


def _released(lib: Library, draft_factory: Any, body: str = APPROVED, channel: str = "wecom_1v1") -> str:
    mid = lib.save_draft(draft_factory(body, channel=channel), author="alice").material_id
    lib.submit(mid, 1, actor="alice")
    lib.approve(mid, 1, actor="rita")
    lib.release(mid, 1, actor="rita")
    return mid


def _send(lib: Library, renderer: PayloadRenderer, mid: str, text: str, *, name: str | None = None,
          delivery_id: int = 1, checker: Any = None) -> int | None:
    conn = lib._db().conn
    check = sent_text.check_sent(conn, renderer, checker or lib.checker, material_id=mid, version=1,
                                 channel="wecom_1v1", sent_text=text, recipient_name=name)
    with immediate(lib._db()) as c:
        return sent_text.record(c, check, client="wecom-app", sender="zhang.wei", delivery_id=delivery_id)


# ---- the comparison ---------------------------------------------------------------------------


@pytest.mark.parametrize("sent", [
    APPROVED,
    "好久不见， 新品氨基酸洁面乳上市，\n\n回复1领取试用装。  ",       # spaces and line breaks
    "好久不见，\u3000新品氨基酸洁面乳上市，回复1\u200b领取试用装。",  # full-width and zero-width
    "张三，好久不见，新品氨基酸洁面乳上市，回复1领取试用装。",          # the name, greeted
    "张三先生：好久不见，新品氨基酸洁面乳上市，回复1领取试用装。",      # with an honorific
])
def test_whitespace_and_the_recipients_name_are_not_an_edit(sent: str) -> None:
    c = compare(APPROVED, sent, "张三")
    assert not c.edited, c
    assert "张三" not in c.stored_text


@pytest.mark.parametrize(("sent", "added"), [
    ("好久不见，新品氨基酸洁面乳上市，保证有效，回复1领取试用装。", "保证有效，"),
    ("好久不见，新品氨基酸洁面乳上市，回复2领取试用装。", "2"),
    ("张三，您好！好久不见，新品氨基酸洁面乳上市，回复1领取试用装。", "您好！"),
])
def test_any_other_character_is_a_material_edit(sent: str, added: str) -> None:
    c = compare(APPROVED, sent, "张三")
    assert c.edited
    assert added in "".join(ch["sent"] for ch in c.changes)
    assert c.diff.startswith("--- approved\n+++ sent")
    assert "张三" not in c.stored_text + c.diff + str(c.changes)
    start, end, match = c.first_change()
    assert c.stored_text[start:end] == match


def test_latin_spacing_still_separates_words() -> None:
    assert normalise("Hello  there ,\nfriend") == "Hello there,friend"
    assert compare("new arrivals", "newarrivals").edited
    assert compare("Hi, new arrivals.", "Dear Mr. Smith, Hi,  new arrivals.", "smith").edited  # "Dear"
    assert not compare("Hi, new arrivals.", "Mr. Smith, Hi, new arrivals.", "Smith").edited


def test_payload_text_reads_what_a_recipient_reads() -> None:
    assert payload_text({"format": "text", "body": "a\nb"}) == "a\nb"
    assert payload_text({"format": "json", "body": {"title": "T", "body": "B", "deeplink": "app://x"}}) == "T\nB"
    assert payload_text({"format": "markdown", "body": "# Head\n\n**Go \\*now\\***"}) == "Head\n\nGo *now*"


def test_unrelated_long_texts_compare_quickly() -> None:
    a, b = "甲" * 20_000, "乙" * 20_000
    c = compare(a, b)
    assert c.edited and len(c.changes) == 1  # one replacement, not a quadratic match


# ---- recorded, re-checked, queued, audited -------------------------------------------------------


def test_an_edit_is_recorded_rechecked_queued_and_audited(lib: Library, draft_factory: Any,
                                                          renderer: PayloadRenderer) -> None:
    mid = _released(lib, draft_factory)
    assert _send(lib, renderer, mid, "张三，好久不见，" + APPROVED[5:], name="张三", delivery_id=1)
    assert sent_text.edited_after_approval(lib) == []  # the name alone: not an edit
    row_id = _send(lib, renderer, mid, "张三，好久不见，保本！" + APPROVED[5:], name="张三", delivery_id=2)
    assert row_id is not None
    assert _send(lib, renderer, mid, "张三，好久不见，保本！" + APPROVED[5:], name="张三", delivery_id=2) is None

    queue = sent_text.edited_after_approval(lib)
    assert [q["id"] for q in queue] == [row_id] and sent_text.open_count(lib) == 1
    item = queue[0]
    assert item["sender"] == "zhang.wei" and item["client"] == "wecom-app" and item["delivery_id"] == 2
    assert item["sent_text"].startswith(RECIPIENT) and "+保本" not in item["diff"] and "保本" in item["diff"]
    assert item["finding"]["rule"] == sent_text.RULE and item["finding"]["severity"] == "error"
    assert item["recheck_verdict"] == "block"
    assert [f["rule"] for f in item["recheck"]["findings"]] == ["finance.guaranteed_return"]

    events = [e for e in lib.history(mid) if e.action == sent_text.ACTION]
    assert len(events) == 1 and events[0].actor == "token:wecom-app" and events[0].role == "system"
    assert "zhang.wei" in (events[0].reason or "") and "re-check block" in (events[0].reason or "")

    dump = dump_text(lib.target)
    assert "张三" not in dump  # the recipient's name is never stored


def test_without_a_checker_the_edit_is_queued_unchecked(lib: Library, draft_factory: Any,
                                                        renderer: PayloadRenderer) -> None:
    mid = _released(lib, draft_factory)
    _send(lib, renderer, mid, APPROVED + "最划算！", checker=no_checker)
    (item,) = sent_text.edited_after_approval(lib)
    assert item["recheck"] is None and item["recheck_verdict"] is None
    assert "not re-checked" in item["finding"]["message"] and item["finding"]["severity"] == "warning"


def test_the_real_engine_rechecks_the_sent_text(lib: Library, draft_factory: Any,
                                                renderer: PayloadRenderer) -> None:
    from contentgen.usecases.library_access import engine_checker

    mid = _released(lib, draft_factory)
    _send(lib, renderer, mid, APPROVED + "效果最好，保证100%有效！", checker=engine_checker)
    (item,) = sent_text.edited_after_approval(lib)
    assert item["recheck_verdict"] in ("block", "warn") and item["recheck"]["findings"]
    assert all(f["field"] == "body" for f in item["recheck"]["findings"] if f["field"])


def test_a_reviewer_resolves_an_edited_send(lib: Library, draft_factory: Any,
                                            renderer: PayloadRenderer) -> None:
    mid = _released(lib, draft_factory)
    row_id = _send(lib, renderer, mid, APPROVED + "最划算！")
    assert row_id is not None
    with pytest.raises(PermissionDenied):
        sent_text.resolve(lib, row_id, actor="alice", note="fine")
    with pytest.raises(UsageError):
        sent_text.resolve(lib, row_id, actor="rita", note="  ")
    done = sent_text.resolve(lib, row_id, actor="carl", note="talked to the salesperson")
    assert done["status"] == "reviewed" and done["reviewed_by"] == "carl"
    assert sent_text.edited_after_approval(lib) == []
    assert len(sent_text.edited_after_approval(lib, status=None)) == 1
    assert any(e.action == sent_text.REVIEWED for e in lib.history(mid))


def test_the_refusals(lib: Library) -> None:
    with pytest.raises(sent_text.SentTextRefused, match="20,000"):
        sent_text.check_fields("字" * 20_001, None, None)
    with pytest.raises(sent_text.SentTextRefused, match="control character"):
        sent_text.check_fields("hi\x1b[31m", None, None)
    with pytest.raises(sent_text.SentTextRefused, match="recipient_name"):
        sent_text.check_fields("hi", "x" * 101, None)
    sent_text.check_fields("字" * 20_000, "张三", "zhang.wei")


def test_performance_can_say_which_sends_were_edited(lib: Library, draft_factory: Any,
                                                     renderer: PayloadRenderer) -> None:
    """The join documented in library.sent_text, over outcome events of two deliveries."""
    mid = _released(lib, draft_factory)
    _send(lib, renderer, mid, APPROVED, delivery_id=1)
    _send(lib, renderer, mid, APPROVED + "最划算！", delivery_id=2)
    conn = lib._db().conn
    with immediate(lib._db()) as c:
        for i, delivery in enumerate((1, 2, None)):
            c.execute("INSERT INTO outcome_events (source, event_id, fingerprint, delivery_id, material_id,"
                      " version, channel, recipient, type, at, received_at) VALUES ('wecom-app', ?, ?, ?,"
                      " ?, 1, 'wecom_1v1', ?, 'clicked', '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z')",
                      [f"e{i}", f"f{i}", delivery, mid, f"recipient-hash-{i:04d}"])
    rows = conn.execute(
        "SELECT e.event_id, (SELECT MAX(s.edited) FROM sent_texts s"
        " WHERE (s.delivery_id = e.delivery_id AND e.delivery_id IS NOT NULL"
        "        AND s.event_id IS NULL AND s.recipient IS NULL)"
        " OR (s.client = e.source AND s.event_id = e.event_id)"
        " OR (s.recipient = e.recipient AND s.material_id = e.material_id AND s.version = e.version))"
        " FROM outcome_events e ORDER BY e.event_id").fetchall()
    assert rows == [("e0", 0), ("e1", 1), ("e2", None)]
    groups = performance(lib, by=["edited", "material"], min_reached=1)["groups"]
    assert [(g["key"]["edited"], g["reached"], g["rates"]["clicked"]["count"]) for g in groups] == [
        ("as approved", 1, 1), ("edited", 1, 1), ("not reported", 1, 1)]
    # The edited flag groups recipients; it never multiplies them.
    assert performance(lib, by=["material"], min_reached=1)["groups"][0]["reached"] == 3


def test_one_recipients_edited_send_does_not_mark_the_rest_of_its_delivery(lib: Library, draft_factory: Any,
                                                                          renderer: PayloadRenderer) -> None:
    mid = _released(lib, draft_factory)
    conn = lib._db().conn
    check = sent_text.check_sent(conn, renderer, lib.checker, material_id=mid, version=1, channel="wecom_1v1",
                                 sent_text=APPROVED + "最划算！", recipient_name=None)
    with immediate(lib._db()) as c:  # an event's own sent text, within delivery 7
        sent_text.record(c, check, client="wecom-app", sender="zhang.wei", delivery_id=7, event_id="e0",
                         recipient="recipient-hash-0000")
        for i in range(3):
            c.execute("INSERT INTO outcome_events (source, event_id, fingerprint, delivery_id, material_id,"
                      " version, channel, recipient, type, at, received_at) VALUES ('wecom-app', ?, ?, 7,"
                      " ?, 1, 'wecom_1v1', ?, 'clicked', '2026-11-02T00:00:00Z', '2026-11-02T00:00:00Z')",
                      [f"e{i}", f"f{i}", mid, f"recipient-hash-{i:04d}"])
    groups = performance(lib, by=["edited"], min_reached=1)["groups"]
    assert [(g["key"]["edited"], g["reached"]) for g in groups] == [("edited", 1), ("not reported", 2)]
    assert sum(g["reached"] for g in groups) == performance(lib, by=["material"], min_reached=1)["groups"][0]["reached"]


def test_edited_sends_survive_an_export_and_import(lib: Library, draft_factory: Any, tmp_path: Any,
                                                   renderer: PayloadRenderer) -> None:
    import io

    mid = _released(lib, draft_factory)
    _send(lib, renderer, mid, APPROVED + "最划算！")
    out = io.StringIO()
    lib.export_jsonl(out)
    copy = Library.open(tmp_path / "copy.db")
    try:
        copy.import_jsonl(io.StringIO(out.getvalue()))
        assert [q["material_id"] for q in sent_text.edited_after_approval(copy)] == [mid]
    finally:
        copy.close()
