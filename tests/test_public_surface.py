"""The exported names of each package are the intended ones, and each of them exists."""

from __future__ import annotations

import importlib

import pytest

INTENDED = {
    "contentgen": {
        "Brief", "ComplianceReport", "ContentgenError", "CopyContent", "Draft", "Finding",
        "PushContent", "Scene", "Settings", "VideoScriptContent",
    },
    "library": {
        "AuditEvent", "Change", "Library", "Material", "MaterialVersion", "Page", "Released",
        "Token", "User",
    },
}


@pytest.mark.parametrize("package", sorted(INTENDED))
def test_exports_are_intended(package: str) -> None:
    mod = importlib.import_module(package)
    assert set(mod.__all__) == INTENDED[package]
    for name in mod.__all__:
        assert getattr(mod, name) is not None
