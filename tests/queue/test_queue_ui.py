"""The Batches page on a PostgreSQL library: a real worker's progress, and the retry that puts
failed drafts back on the real queue."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from contentgen.testing_provider import LimitedProvider
from contentgen.usecases import batch_queue
from library import Library, batches
from tests.queue._briefs import briefs

pytestmark = pytest.mark.postgresql_only


def page(url: str, user: str, role: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    from streamlit.testing.v1 import AppTest

    from tests.ui.conftest import APP

    monkeypatch.setenv("CONTENTGEN_DB", url)
    at = AppTest.from_file(APP, default_timeout=60)
    at.session_state["user"] = {"name": user, "role": role}
    at.session_state["ui_lang"] = "en"
    at.switch_page("pages/batches.py").run()
    assert not at.exception, at.exception
    return at


def _todo(lib: Library, batch_id: str) -> int:
    row = lib._db().conn.execute(
        "SELECT COUNT(*) FROM procrastinate.procrastinate_jobs WHERE status = 'todo'"
        " AND args->>'batch_id' = ?", [batch_id]).fetchone()
    return int(row[0])


def test_the_page_shows_a_workers_result_and_its_retry_queues_the_failed_draft_again(
        pg_url: str, provider: LimitedProvider, lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    queued = batch_queue.enqueue(lib, briefs(3, poison=1), as_user="olga",
                                 options={"max_rewrites": 1, "seed": None, "timeout_s": 60.0}, source="big.jsonl")
    bid = queued.batch.id
    lib.users.add("otto", "operator")

    at = page(pg_url, "olga", "operator", monkeypatch)
    assert {m.label: m.value for m in at.metric}["Not finished"] == "3"
    assert any("No worker has taken a draft yet" in w.value for w in at.warning)

    asyncio.run(batch_queue.run_worker(pg_url, wait=False, concurrency=2))
    at = page(pg_url, "olga", "operator", monkeypatch)
    row = at.dataframe[0].value.iloc[0]
    assert (row["Batch"], row["State"], row["Progress"]) == (bid, "Finished with failures", 1.0)
    assert {m.label: m.value for m in at.metric} == {"Done": "2", "Failed": "1", "Not finished": "0"}
    failed = at.dataframe[1].value
    assert list(failed["Brief"]) == ["briefs:2"] and "not a valid" in failed["Reason"].iloc[0]
    assert failed["Starts"].iloc[0] == batch_queue.MAX_STARTS

    # Someone else's batch: the retry is there, but not theirs to press.
    other = page(pg_url, "otto", "operator", monkeypatch)
    assert other.button(key=f"bat_retry_{bid}").disabled

    assert _todo(lib, bid) == 0
    at.button(key=f"bat_retry_{bid}").click().run()
    assert not at.exception and "1 drafts queued again." in [s.value for s in at.success]
    assert batches.progress(lib, bid).queued == 1 and _todo(lib, bid) == 1
    assert at.dataframe[0].value.iloc[0]["State"] == "In progress"
    assert {m.label: m.value for m in at.metric} == {"Done": "2", "Failed": "0", "Not finished": "1"}
