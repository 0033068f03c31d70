"""contentgen: industry- and segment-specific marketing content, generated, checked and reviewed."""

from contentgen.compliance.report import ComplianceReport, Finding
from contentgen.config import Settings
from contentgen.errors import ContentgenError
from contentgen.schemas import (
    Brief,
    CopyContent,
    Draft,
    PushContent,
    Scene,
    VideoScriptContent,
)

__all__ = [
    "Brief",
    "ComplianceReport",
    "ContentgenError",
    "CopyContent",
    "Draft",
    "Finding",
    "PushContent",
    "Scene",
    "Settings",
    "VideoScriptContent",
]
