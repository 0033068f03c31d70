"""contentgen: industry- and segment-specific marketing content, generated, checked and reviewed."""

from contentgen.kernel.config import Settings
from contentgen.kernel.errors import ContentgenError
from contentgen.kernel.report import ComplianceReport, Finding
from contentgen.kernel.schemas import (
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
