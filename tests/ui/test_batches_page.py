"""The Batches page under AppTest: progress of queued batches as the library records it.

Batches are recorded with library.batches, as the queue's workers record them (the queue
itself needs PostgreSQL: tests/queue/test_queue_ui.py runs a real worker and the retry).
"""

from __future__ import annotations

from typing import Any

from library import batches
from review_ui._i18n import label
from tests.ui.conftest import APP, USERS
from tests.ui.test_hardening_markdown import EVIL, assert_shown_as_text


def page_as(user: str, lang: str = "en") -> Any:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = {"name": user, "role": USERS[user]}
    at.session_state["ui_lang"] = lang
    at.switch_page("pages/batches.py").run()
    assert not at.exception, at.exception
    return at


def record(lib: Any, batch_id: str, n: int, *, author: str = "olivia", source: str = "briefs.jsonl") -> None:
    items = [{"key": f"{batch_id}-k{i}", "variant": 1, "variants": 1, "source": f"{source}:{i + 1}",
              "brief": {"product": f"野餐篮 {i}", "channel": "moments", "locale": "zh-CN"}} for i in range(n)]
    batches.create(lib, batch_id, author=author, source=source, options={}, items=items)


def texts(at: Any, kind: str) -> list[str]:
    return [str(e.value) for e in getattr(at, kind)]


def test_a_sqlite_library_says_where_batches_run(lib: Any) -> None:
    at = page_as("olivia")
    assert label("bat_sqlite", "en") in texts(at, "info")
    assert not at.dataframe


def test_progress_counts_and_failure_reasons_are_shown_as_text(lib: Any, make_material: Any) -> None:
    record(lib, "bat_a", 4, source=f"evil {EVIL}")
    mid = make_material("draft").id
    batches.start(lib, "bat_a", "bat_a-k0", "gen-1")
    batches.finish(lib, "bat_a", "bat_a-k0", material_id=mid, version=1, verdict="block")
    batches.start(lib, "bat_a", "bat_a-k1", "gen-1")
    batches.fail(lib, "bat_a", "bat_a-k1", f"the model's answer was not JSON: {EVIL}")
    batches.start(lib, "bat_a", "bat_a-k2", "gen-2")

    at = page_as("olivia")
    overview = at.dataframe[0].value
    row = overview.iloc[0]
    assert row["Batch"] == "bat_a" and row["Progress"] == 0.5 and row["State"] == "In progress"
    assert row["Source"] == f"evil {EVIL}"
    shown = {m.label: m.value for m in at.metric}
    assert shown == {"Done": "1", "Failed": "1", "Not finished": "2"}
    assert {"1 of them blocked by compliance", "1 running · 1 queued"} <= set(texts(at, "caption"))
    assert label("bat_refreshing", "en", s="2") in texts(at, "caption")  # still running: it refreshes
    # The failed items first, with the reason as the worker recorded it (a table cell: never rendered).
    items = at.dataframe[1].value
    assert list(items["Item"]) == ["bat_a-k1"] and EVIL in items["Reason"].iloc[0]
    assert items["Starts"].iloc[0] == 1 and items["Brief"].iloc[0] == f"evil {EVIL}:2"
    assert items["Product · channel · locale"].iloc[0] == "野餐篮 1 · WeChat Moments post · Chinese (Simplified)"
    assert_shown_as_text(at, f"evil {EVIL}")  # the batch's source, in the caption, escaped
    assert not _has_button(at, "bat_retry_bat_a")  # not finished: nothing to retry yet

    at.segmented_control(key="bat_filter_bat_a").set_value("done").run()
    items = at.dataframe[1].value
    assert list(items["Item"]) == ["bat_a-k0"] and items["Material"].iloc[0] == f"{mid} v1"
    assert items["Verdict"].iloc[0] == "Blocked"
    at.segmented_control(key="bat_filter_bat_a").set_value("running").run()
    items = at.dataframe[1].value
    assert list(items["Item"]) == ["bat_a-k2"] and items["Worker"].iloc[0] == "gen-2"


def _has_button(at: Any, key: str) -> bool:
    return any(b.key == key for b in at.button)


def test_a_finished_batch_offers_a_retry_to_its_author_only(lib: Any) -> None:
    record(lib, "bat_b", 2, author="olivia")
    for key in ("bat_b-k0", "bat_b-k1"):
        batches.start(lib, "bat_b", key, "gen-1")
        batches.fail(lib, "bat_b", key, "the provider refused the request (400)")
    record(lib, "bat_c", 1, author="olivia")  # newer: shown first

    at = page_as("olivia")
    assert [str(x) for x in at.dataframe[0].value["Batch"]] == ["bat_c", "bat_b"]
    assert label("bat_no_worker", "en") in texts(at, "warning")  # nothing taken yet
    at.selectbox(key="bat_pick").set_value("bat_b").run()
    assert at.dataframe[0].value.iloc[1]["State"] == "Finished with failures"
    retry = at.button(key="bat_retry_bat_b")
    assert retry.label == "Retry failed drafts (2)" and not retry.disabled
    # A SQLite library has no queue: the retry says so and changes nothing.
    retry.click().run()
    assert any("PostgreSQL" in e for e in texts(at, "error")), texts(at, "error")
    assert batches.progress(lib, "bat_b").failed == 2

    record(lib, "bat_d", 1, author="root")
    batches.start(lib, "bat_d", "bat_d-k0", "gen-1")
    batches.fail(lib, "bat_d", "bat_d-k0", "boom")
    at = page_as("olivia", "zh")
    at.selectbox(key="bat_pick").set_value("bat_d").run()
    assert at.button(key="bat_retry_bat_d").disabled  # root's drafts: olivia may not


def test_a_big_batch_shows_its_first_rows_and_says_so(lib: Any) -> None:
    record(lib, "bat_big", 600)
    at = page_as("olivia")
    assert len(at.dataframe[1].value) == 500
    assert label("bat_first_rows", "en", n=500, total=600) in texts(at, "caption")
