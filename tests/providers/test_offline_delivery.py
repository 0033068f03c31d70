"""Released text the offline model wrote is marked `offline: true` in the delivery API's payload."""

from __future__ import annotations

import asyncio
from pathlib import Path

from fastapi.testclient import TestClient

from contentgen.generate import Generator, Job
from contentgen.kernel.config import Settings
from contentgen.kernel.schemas import Brief, ModelInfo
from contentgen.usecases import open_library


def test_offline_drafts_are_marked_in_every_payload_the_api_serves(tmp_path: Path) -> None:
    import library.api.deliveries  # noqa: F401 - registers its table before the file is made
    from library.api.app import create_app

    lib = open_library(tmp_path / "delivery.db")
    lib.users.add("olivia", "operator")
    lib.users.add("rita", "reviewer")
    brief = Brief(industry="retail", segment="active.mass", content_type="push", channel="sms", locale="zh-CN",
                  product="会员精选好物", selling_points=["每周上新"])
    offline = asyncio.run(Generator(Settings.load()).draft(Job(brief)))
    assert offline.model.offline
    by_llm = offline.model_copy(update={"key": "llm-1", "model": ModelInfo(provider="openai", name="gpt-4o-mini")})
    ids = {}
    for name, draft in (("offline", offline), ("llm", by_llm)):
        mid = lib.save_draft(draft, author="olivia").material_id
        lib.submit(mid, 1, actor="olivia")
        lib.approve(mid, 1, actor="rita")
        lib.release(mid, 1, actor="rita")
        ids[name] = mid
    token = lib.tokens.create("pusher", ["sms"])
    app = create_app(lib)
    try:
        client = TestClient(app, headers={"Authorization": f"Bearer {token}"})
        listed = {i["id"]: i["payload"] for i in client.get("/v1/materials").json()["items"]}
        synced = {i["id"]: i["payload"] for i in client.get("/v1/sync").json()["items"]}
        one = client.get(f"/v1/materials/{ids['offline']}").json()["payload"]
        for payloads in (listed, synced):
            assert payloads[ids["offline"]]["offline"] is True
            assert "offline" not in payloads[ids["llm"]]  # absent means false (Payload.offline defaults to it)
        assert one["offline"] is True and one["body"] == listed[ids["offline"]]["body"]
        spec = client.get("/openapi.json").json()
        assert "offline" in spec["components"]["schemas"]["Payload"]["properties"]
    finally:
        app.state.delivery.close()
        lib.close()
