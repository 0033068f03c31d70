"""The rows an import may contain: one pydantic model per table, known columns only.

Every value is checked the way the library itself would have written it (vocabularies, roles,
statuses, timestamps, JSON columns, 64-bit integers) before anything reaches SQL, and a column
name is only ever one the table really has (PRAGMA table_info), never a key read from the file.
Tables this module has no model for (added by other migrations) get one built from their
declared columns and types.
"""

from __future__ import annotations

import json
import math
import re
import sqlite3
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, create_model

from contentgen.kernel import vocab
from contentgen.kernel.errors import UsageError
from contentgen.kernel.report import ComplianceReport
from contentgen.kernel.schemas import Channel, ContentType, Industry, Locale, Persona, SegmentId
from library import schema_info
from library.models import ROLES, SOURCES, STATUSES

INT64 = 2**63 - 1
SYSTEM_ROLES = ("system",)  # authors and actors that are not registered users
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,199}$")  # material, plan and other ids
_SCRYPT = re.compile(r"^scrypt\$(\d{1,8})\$(\d{1,3})\$(\d{1,3})\$[0-9a-f]{32}\$[0-9a-f]{64}$")


def _name(v: str) -> str:
    if not _NAME.match(v):
        raise ValueError(f"{v[:80]!r} is not a valid name (1-64 letters, digits, '_', '.', '@', '-')")
    return v


def _actor(v: str) -> str:
    # Authors and actors were not always registered users (`generate --save --as anyone`):
    # any short printable name, no control characters.
    if not 0 < len(v) <= 100 or not v.isprintable() or v != v.strip():
        raise ValueError(f"{v[:80]!r} is not a valid author or actor name")
    return v


def _key(v: str) -> str:
    if not _KEY.match(v):
        raise ValueError(f"{v[:80]!r} is not a valid id")
    return v


def _stamp(v: str) -> str:
    try:
        datetime.fromisoformat(v.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"{v[:80]!r} is not an ISO-8601 time") from None
    return v


def _scrypt(v: str) -> str:
    m = _SCRYPT.match(v)
    # Bounded cost: a crafted N or r would make every login burn seconds of CPU and memory.
    if not m or not (2**10 <= int(m[1]) <= 2**20 and int(m[1]) & (int(m[1]) - 1) == 0
                     and 1 <= int(m[2]) <= 32 and 1 <= int(m[3]) <= 16):
        raise ValueError("not a password hash this library writes (scrypt$N$r$p$salt$digest)")
    return v


class _NotJson(ValueError):
    pass


def _reject_constant(name: str) -> Any:
    raise _NotJson(f"{name} is not a JSON number")


_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def parse_json(text: str) -> Any:
    """JSON as the library writes it: no NaN or Infinity; depth errors become ValueError."""
    try:
        return _DECODER.decode(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    except json.JSONDecodeError as e:
        raise ValueError(f"not JSON ({e.msg})") from None
    except _NotJson:
        raise
    except ValueError as e:  # e.g. an integer of thousands of digits
        raise ValueError(f"not JSON the library writes ({str(e)[:80]})") from None


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _json_of(kind: str, check: Any) -> AfterValidator:
    def validate(v: str) -> str:
        value = parse_json(v)
        if _SURROGATE_ESCAPE.search(v):
            try:  # "\udc80" escapes decode to lone surrogates, which no response can encode later
                json.dumps(value, ensure_ascii=False).encode()
            except UnicodeEncodeError:
                raise ValueError(f"{kind} holds text that is not valid Unicode".strip()) from None
        problem = check(value)
        if problem:
            raise ValueError(f"{kind} {problem}")
        return v

    return AfterValidator(validate)


def _tags(v: Any) -> str | None:
    if not isinstance(v, list) or len(v) > 100:
        return "must be a JSON list of at most 100 tags"
    if not all(isinstance(t, str) and 0 < len(t) <= 200 for t in v):
        return "must hold only tags of 1-200 characters"
    return None


def _channels(v: Any) -> str | None:
    if not isinstance(v, list) or not v:
        return "must be a non-empty JSON list of channels"
    bad = [c for c in v if c not in vocab.CHANNELS]
    return f"has unknown channel {bad[0]!r}" if bad else None


def _obj(v: Any) -> str | None:
    return None if isinstance(v, dict) else "must be a JSON object"


def _obj_or_null(v: Any) -> str | None:
    return None if v is None or isinstance(v, dict) else "must be a JSON object or null"


def _report(v: Any) -> str | None:
    try:
        report = ComplianceReport.model_validate(v)
    except ValidationError as e:
        err = e.errors()[0]
        return f"is not a compliance report ({'.'.join(map(str, err['loc']))}: {err['msg']})"
    if report.verdict != ComplianceReport.verdict_for(report.findings):
        return f"says {report.verdict!r} but its findings make it {ComplianceReport.verdict_for(report.findings)!r}"
    return None


Int = Annotated[int, Field(ge=-INT64 - 1, le=INT64)]
Pos = Annotated[int, Field(ge=1, le=INT64)]
Count = Annotated[int, Field(ge=0, le=INT64)]
Name = Annotated[str, AfterValidator(_name)]
Actor = Annotated[str, AfterValidator(_actor)]
Key = Annotated[str, AfterValidator(_key)]
Stamp = Annotated[str, AfterValidator(_stamp)]
Text = Annotated[str, Field(max_length=100_000)]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Verdict = Literal["block", "warn", "pass"]
Json = Annotated[str, _json_of("", _obj)]


class Row(BaseModel):
    # strict: "1" is not an int and 1 is not a string, as the library never writes either.
    model_config = ConfigDict(extra="forbid", strict=True)


class UserRow(Row):
    name: Name
    role: Literal[ROLES]  # type: ignore[valid-type]
    password_hash: Annotated[str, AfterValidator(_scrypt)] | None = None
    created_at: Stamp


class TokenRow(Row):
    name: Name
    token_hash: Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
    channels: Annotated[str, _json_of("channels", _channels)]
    created_at: Stamp
    revoked_at: Stamp | None = None


class MaterialRow(Row):
    seq: Pos
    id: Key
    draft_key: Annotated[str, Field(max_length=200)] | None = None
    industry: Industry
    segment: SegmentId | None = None
    persona: Persona | None = None
    content_type: ContentType
    channel: Channel
    locale: Locale
    tags: Annotated[str, _json_of("tags", _tags)] = "[]"
    plan_id: Key | None = None
    send_at: Stamp | None = None
    title: Annotated[str, Field(max_length=1000)] = ""
    status: Status
    current_version: Pos
    released_version: Pos | None = None
    verdict: Verdict = "pass"
    finding_count: Count = 0
    created_by: Actor
    created_at: Stamp
    updated_at: Stamp


class VersionRow(Row):
    material_id: Key
    version: Pos
    parent_version: Pos | None = None
    status: Status
    content: Annotated[str, _json_of("content", _obj)]
    text: Annotated[str, Field(max_length=200_000)]
    title: Annotated[str, Field(max_length=1000)] = ""
    source: Literal[SOURCES]  # type: ignore[valid-type]
    prompt_ref: Annotated[str, Field(max_length=500)] | None = None
    model: Annotated[str, _json_of("model", _obj_or_null)] | None = None
    parameters: Annotated[str, _json_of("parameters", _obj)] = "{}"
    brief: Annotated[str, _json_of("brief", _obj_or_null)] | None = None
    generation: Annotated[str, _json_of("generation", _obj)] = "{}"
    compliance: Annotated[str, _json_of("compliance", _report)] = '{"verdict": "pass"}'
    verdict: Verdict = "pass"
    author: Actor
    created_at: Stamp
    override_by: Actor | None = None
    override_justification: Text | None = None
    override_at: Stamp | None = None
    withdrawn_from: Literal["approved", "released"] | None = None


class AuditRow(Row):
    id: Pos
    at: Stamp
    actor: Actor
    role: Literal[ROLES + SYSTEM_ROLES]  # type: ignore[valid-type]
    action: Annotated[str, Field(pattern=r"^[a-z][a-z_]{0,39}$")]
    material_id: Key | None = None
    version: Pos | None = None
    from_status: Status | None = None
    to_status: Status | None = None
    reason: Text | None = None


class ChangeRow(Row):
    seq: Pos
    material_id: Key
    version: Pos
    kind: Literal["release", "retire"]
    channel: Channel
    at: Stamp


MODELS: dict[str, type[Row]] = {
    "users": UserRow, "tokens": TokenRow, "materials": MaterialRow, "versions": VersionRow,
    "audit": AuditRow, "changes": ChangeRow,
}
_AFFINITY: dict[str, Any] = {"INTEGER": Int, "INT": Int, "TEXT": str, "REAL": float | int,
                             "FLOAT": float | int, "BLOB": bytes}


def columns(conn: sqlite3.Connection, table: str) -> dict[str, tuple[str, bool, bool]]:
    """Column name -> (declared type, required, primary key), from the schema itself."""
    out = {}
    for name, decl, notnull, default, pk in schema_info.columns(conn, table):
        if name == "rowid":  # PostgreSQL's versions.rowid: SQLite's hidden rowid, not data
            continue
        out[name] = (decl, notnull and default is None and not pk, bool(pk))
    return out


def generic_model(table: str, cols: dict[str, tuple[str, bool, bool]]) -> type[Row]:
    """A row model for a table without one here: its declared columns, types and NOT NULLs."""
    fields: dict[str, Any] = {}
    for name, (decl, required, _pk) in cols.items():
        kind = _AFFINITY.get(decl, str | int | float)
        fields[name] = (kind, ...) if required else (kind | None, None)
    return create_model(f"{table}_row", __base__=Row, **fields)


_EXTRA_MODELS: dict[tuple[str, tuple[str, ...]], type[Row]] = {}
_FIELDS: dict[type[Row], frozenset[str]] = {}


def validate(model: type[Row], table: str, row: dict[str, Any], lineno: int,
             known: dict[str, tuple[str, bool, bool]]) -> dict[str, Any]:
    """The row checked against its table; UsageError naming the line and the field."""
    unknown = [k for k in row if k not in known]
    if unknown:
        raise UsageError(f"line {lineno}: table {table} has no column {str(unknown[0])[:60]!r}")
    for k, v in row.items():
        if isinstance(v, float) and not math.isfinite(v):
            raise UsageError(f"line {lineno}: {table}.{k}: {v} is not a number")
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = frozenset(model.model_fields)
    extra = {k: v for k, v in row.items() if k not in fields}
    try:
        model.model_validate({k: v for k, v in row.items() if k in fields} if extra else row)
        if extra:  # columns other migrations added: checked by their declared type
            key = (table, tuple(sorted(extra)))
            if key not in _EXTRA_MODELS:
                _EXTRA_MODELS[key] = generic_model(table, {k: known[k] for k in key[1]})
            _EXTRA_MODELS[key].model_validate(extra)
    except ValidationError as e:
        raise UsageError(f"line {lineno}: {_first_error(table, e)}") from None
    return row


def _first_error(table: str, e: ValidationError) -> str:
    err = e.errors()[0]
    field = ".".join(str(x) for x in err.get("loc", ()) if not isinstance(x, int)) or "row"
    field = field.split(".")[0] if err.get("type") in ("literal_error",) else field
    msg = str(err.get("msg", "invalid")).removeprefix("Value error, ")
    if err.get("type") == "literal_error":
        value = err.get("input")
        msg = f"{str(value)[:60]!r} is not allowed; {msg[0].lower()}{msg[1:]}"
    return f"{table}.{field}: {msg}"
