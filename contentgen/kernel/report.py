"""The compliance report a draft carries: what was checked, what was found, the verdict."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

Severity = Literal["error", "warning", "info"]
Verdict = Literal["block", "warn", "pass"]


class Finding(BaseModel):
    rule: str
    severity: Severity
    start: int = Field(description="character offset into the original text")
    end: int
    match: str = Field(description="text[start:end] of the original text")
    message: str
    suggestion: str | None = None
    reference: str | None = None
    field: str | None = Field(default=None, description="content field, for drafts")
    kind: str | None = Field(default=None, description="rule kind: terms, substitution, pattern...")
    source: Literal["rule", "judge"] = Field(default="rule", description="a rule pack, or the model judge")
    category: str | None = Field(default=None, description="legal category, e.g. absolute, medical_claim")
    fix: str | None = Field(default=None, description="requires: the statement `check --fix` adds")


class PackRef(BaseModel):
    id: str
    version: str
    sha256: str


class ComplianceReport(BaseModel):
    verdict: Verdict
    findings: list[Finding] = Field(default_factory=list)
    packs: list[PackRef] = Field(default_factory=list)
    locale: str | None = None
    industry: str | None = None
    channel: str | None = None
    product_type: str | None = Field(default=None, description="given, or inferred from the text")
    judge: str | None = Field(default=None, description="the model judge's status: off, used, failed")

    @staticmethod
    def verdict_for(findings: list[Finding]) -> Verdict:
        severities = {f.severity for f in findings}
        if "error" in severities:
            return "block"
        if "warning" in severities:
            return "warn"
        return "pass"

    @property
    def blocked(self) -> bool:
        return self.verdict == "block"
