"""What the library hands out: materials, their immutable versions, people, tokens, events."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from contentgen.kernel.errors import UsageError
from contentgen.kernel.schemas import CONTENT_MODELS

Role = Literal["operator", "reviewer", "compliance", "admin"]
ROLES: tuple[str, ...] = ("operator", "reviewer", "compliance", "admin")

# A version's life; "superseded" marks a version replaced by a newer edit or release;
# "withdrawn" an approved or released version that the current rule packs now block.
STATUSES: tuple[str, ...] = (
    "draft",
    "in_review",
    "approved",
    "changes_requested",
    "rejected",
    "released",
    "retired",
    "superseded",
    "withdrawn",
)
SOURCES: tuple[str, ...] = ("generated", "edited", "auto_fixed")


class Material(BaseModel):
    """One piece of content with a stable id, its dimensions and where its versions stand."""

    id: str
    industry: str
    segment: str | None = None
    persona: str | None = None
    content_type: str
    channel: str
    locale: str
    tags: list[str] = Field(default_factory=list)
    plan_id: str | None = None
    send_at: str | None = None
    title: str = ""
    status: str
    current_version: int
    released_version: int | None = None
    verdict: str = "pass"
    finding_count: int = 0
    created_by: str
    created_at: str
    updated_at: str


class Override(BaseModel):
    """A compliance officer's written decision to let error-level findings through."""

    by: str
    justification: str
    at: str


class MaterialVersion(BaseModel):
    """One immutable version: content, rendered text, provenance and compliance report."""

    material_id: str
    version: int
    parent_version: int | None = None
    status: str
    content: dict[str, Any]
    text: str
    title: str = ""
    source: str = "generated"
    prompt_ref: str | None = None
    model: dict[str, Any] | None = None
    parameters: dict[str, Any] = Field(default_factory=dict)
    brief: dict[str, Any] | None = None
    generation: dict[str, Any] = Field(default_factory=dict, description="variant, timing, attempts")
    compliance: dict[str, Any] = Field(default_factory=dict)
    verdict: str = "pass"
    author: str
    created_at: str
    override: Override | None = None
    withdrawn_from: str | None = Field(default=None, description="status before the rescan withdrew it")

    @property
    def offline(self) -> bool:
        return bool(self.model and self.model.get("offline"))

    @property
    def error_findings(self) -> list[dict[str, Any]]:
        return [f for f in self.compliance.get("findings", []) if f.get("severity") == "error"]


class User(BaseModel):
    name: str
    role: str
    created_at: str
    has_password: bool = False


class Token(BaseModel):
    """A delivery client: what it may read. The plaintext is shown once, never stored."""

    name: str
    channels: list[str]
    created_at: str = ""
    revoked_at: str | None = None


class AuditEvent(BaseModel):
    id: int
    at: str
    actor: str
    role: str
    action: str
    material_id: str | None = None
    version: int | None = None
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None


class Page(BaseModel):
    items: list[Material]
    total: int
    limit: int = 50
    offset: int = 0


class Change(BaseModel):
    """One entry of the delivery change feed: a release or a retirement (tombstone)."""

    seq: int
    material_id: str
    version: int
    kind: Literal["release", "retire"]
    channel: str
    at: str


class Withdrawal(BaseModel):
    """A version the rule rescan withdrew (or, in a dry run, would withdraw)."""

    material_id: str
    version: int
    from_status: str
    channel: str
    title: str = ""
    rules: list[str]
    findings: list[dict[str, Any]] = Field(default_factory=list)


class RescanResult(BaseModel):
    """What one rescan did: checked = unchanged + re_recorded + withdrawn + skipped + failed."""

    dry_run: bool
    checked: int = 0
    unchanged: int = Field(default=0, description="checked with the packs in scope now: skipped")
    re_recorded: int = Field(default=0, description="re-checked, still passes or warns")
    withdrawn: int = Field(default=0, description="re-checked, now blocks (dry run: would be)")
    skipped: int = Field(default=0, description="changed by someone else during the rescan")
    failed: list[str] = Field(default_factory=list, description="versions the engine could not check")
    withdrawals: list[Withdrawal] = Field(default_factory=list)

    def summary(self) -> str:
        """One line of counts (no content, no secrets): for the audit log and the server log."""
        head = "rescan (dry run, nothing changed)" if self.dry_run else "rescan"
        extra = (f", skipped {self.skipped}" if self.skipped else "") + (
            f", failed {len(self.failed)}" if self.failed else "")
        return (f"{head}: checked {self.checked}, unchanged {self.unchanged}, re-recorded "
                f"{self.re_recorded}, withdrawn {self.withdrawn}{extra}")


def content_model(content_type: str, content: dict[str, Any] | BaseModel) -> BaseModel:
    """The content as its content type's model; a UsageError naming every bad field."""
    cls = CONTENT_MODELS[content_type]
    data = content.model_dump(mode="json") if isinstance(content, BaseModel) else content
    if not isinstance(data, dict):
        raise UsageError(f"content must be a JSON object with the {content_type} fields")
    try:
        return cls.model_validate(data)
    except ValidationError as e:
        parts = [f"{'.'.join(str(x) for x in err['loc']) or 'content'}: "
                 f"{err['msg'].removeprefix('Value error, ')}" for err in e.errors()]
        raise UsageError(f"invalid {content_type} content: " + "; ".join(parts)) from None
