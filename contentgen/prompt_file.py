"""One prompt file: YAML front matter + Jinja2 body with a `system` and a `user` block.

Every error names the file and line. The body is compiled once, in a sandbox, with the front
matter replaced by blank lines so that Jinja's own line numbers are the file's line numbers.
"""

from __future__ import annotations

import fnmatch
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, NoReturn

import jinja2
from jinja2.sandbox import SandboxedEnvironment
from pydantic import ValidationError

from contentgen.kernel import vocab
from contentgen.kernel.errors import BriefError, PromptError, UsageError
from contentgen.kernel.exemplars import MAX_TEXT, Exemplars
from contentgen.kernel.schemas import Brief
from contentgen.prompt_context import Guidance
from contentgen.prompt_meta import PromptMeta

BRIEF_BLOCK = "brief_block.j2"
EXEMPLARS_BLOCK = "exemplars.j2"  # what worked before, when the pipeline passes it
BLOCKS = ("system", "user")


@dataclass(frozen=True)
class RenderedPrompt:
    """What goes to the model: system and user messages plus provenance and parameters."""

    system: str
    user: str
    prompt_ref: str
    model_config: dict[str, Any]
    output_schema: str
    few_shot: list[tuple[str, str]] = field(default_factory=list)


@dataclass(eq=False)
class PromptFile:
    """A parsed, validated prompt file with its compiled template."""

    path: Path
    meta: PromptMeta
    sha256: str
    body_line: int
    template: jinja2.Template
    guidance: Guidance
    env: SandboxedEnvironment
    key_lines: dict[str, int] = field(default_factory=dict)
    _few_shot: dict[str | None, list[tuple[str, str]]] = field(default_factory=dict, repr=False)

    # ---- identity -----------------------------------------------------------------------
    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> str:
        return self.meta.version

    @property
    def status(self) -> str:
        return self.meta.status

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}+{self.sha256[:12]}"

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def description(self) -> str:
        return self.meta.description

    @property
    def content_type(self) -> str:
        return self.meta.content_type

    @property
    def output_schema(self) -> str:
        return self.meta.output_schema

    @property
    def model_config(self) -> dict[str, Any]:
        return self.meta.model.model_dump()

    # ---- scope ---------------------------------------------------------------------------
    @cached_property
    def industries(self) -> tuple[str, ...]:
        return _expand(self.meta.industries, vocab.INDUSTRIES)

    @cached_property
    def segments(self) -> tuple[str, ...]:
        return tuple(s for s in vocab.SEGMENTS if any(fnmatch.fnmatch(s, p) for p in self.meta.segments))

    @cached_property
    def channels(self) -> tuple[str, ...]:
        fits = tuple(c for c in vocab.CHANNELS if self.content_type in vocab.CHANNEL_CONTENT_TYPES[c])
        return tuple(c for c in _expand(self.meta.channels, vocab.CHANNELS) if c in fits)

    @cached_property
    def locales(self) -> tuple[str, ...]:
        return _expand(self.meta.locales, vocab.LOCALES)

    def misfits(self, brief: Brief) -> list[str]:
        """Why this file does not cover the brief; empty when it does."""
        out = []
        if brief.content_type != self.content_type:
            out.append(f"content type {brief.content_type}")
        for kind, value, scope in (
            ("industry", brief.industry, self.industries),
            ("segment", brief.segment, self.segments),
            ("channel", brief.channel, self.channels),
            ("locale", brief.locale, self.locales),
        ):
            if value not in scope:
                out.append(f"{kind} {value}")
        return out

    def specificity(self) -> tuple[int, ...]:
        """Industry, then segment, then channel, then locale; a narrower scope wins ties."""
        dims = (
            (self.industries, vocab.INDUSTRIES),
            (self.segments, vocab.SEGMENTS),
            (self.channels, None),
            (self.locales, vocab.LOCALES),
        )
        flags = [int(all_ is not None and len(s) < len(all_)) for s, all_ in dims]
        flags[2] = int("*" not in self.meta.channels and len(self.channels) < len(self._all_channels()))
        return (*flags, -len(self.industries), -len(self.segments), -len(self.channels))

    def _all_channels(self) -> tuple[str, ...]:
        return tuple(c for c in vocab.CHANNELS if self.content_type in vocab.CHANNEL_CONTENT_TYPES[c])

    def sample_brief(self, **fields: Any) -> Brief:
        """A representative brief inside this file's scope, with `fields` laid over it."""
        locale = fields.get("locale", self.locales[0])
        data: dict[str, Any] = {
            "industry": self.industries[0],
            "segment": self.segments[0],
            "content_type": self.content_type,
            "channel": self.channels[0],
            "locale": locale,
            "product": SAMPLE_PRODUCT[locale],
        }
        for name in self.meta.inputs.required:
            if name not in data and name in SAMPLE_FIELDS:
                data[name] = SAMPLE_FIELDS[name]
        data.update(fields)
        try:
            return Brief(**data)
        except ValidationError as e:
            from contentgen.kernel.errors import validation_message

            raise BriefError(validation_message(e)) from None

    def combinations(self) -> Iterator[Brief]:
        """A representative brief for every industry × segment × channel × locale in scope."""
        for ind in self.industries:
            for seg in self.segments:
                for ch in self.channels:
                    for loc in self.locales:
                        yield self.sample_brief(industry=ind, segment=seg, channel=ch, locale=loc)

    # ---- rendering ----------------------------------------------------------------------
    def render(
        self,
        brief: Brief,
        variant: int = 1,
        variants: int = 1,
        extra: dict[str, Any] | None = None,
        exemplars: Exemplars | None = None,
    ) -> RenderedPrompt:
        """Render the system and user messages for one variant of a brief; `exemplars` (what
        worked before with this audience) go just before the brief block."""
        if not 1 <= variant <= variants <= 20:
            raise UsageError(f"variant {variant} of {variants}: need 1 <= variant <= variants <= 20")
        missing = [f for f in self.meta.inputs.required if getattr(brief, f) in (None, "", [])]
        if missing:
            flags = ", ".join("--" + m.replace("_", "-").removesuffix("s") for m in missing)
            raise BriefError(f"prompt {self.id} needs {', '.join(missing)} in the brief; add {flags}")
        ctx = self.guidance.context(brief, self.output_schema, variant, variants, dict(extra or {}))
        ctx["prompt"] = {"id": self.id, "version": self.version, "ref": self.ref}
        system, user = (self._block(name, ctx) for name in BLOCKS)
        tail = self._partial(BRIEF_BLOCK, ctx)
        if exemplars:
            shown = exemplars.model_dump(mode="json")
            for e in shown["examples"] + shown["avoid"]:
                e["text"] = e["text"][:MAX_TEXT].replace("<", "＜")  # cannot open a tag of the contract
            lessons = self._partial(EXEMPLARS_BLOCK, {"exemplars": shown, "exemplars_block": exemplars.block()})
            tail = f"{lessons}\n\n{tail}"
        return RenderedPrompt(
            system=system,
            user=f"{user}\n\n{tail}" if user else tail,
            prompt_ref=self.ref,
            model_config=self.model_config,
            output_schema=self.output_schema,
            few_shot=self.few_shot(brief.locale),
        )

    def few_shot(self, locale: str | None = None) -> list[tuple[str, str]]:
        """The examples as (user, assistant JSON) pairs; those in the brief's locale first."""
        if locale not in self._few_shot:
            self._few_shot[locale] = self._make_few_shot(locale)
        return list(self._few_shot[locale])

    def _make_few_shot(self, locale: str | None) -> list[tuple[str, str]]:
        pairs = []
        for ex in self.meta.examples:
            brief = self.sample_brief(**ex.brief)
            user = self._partial(
                BRIEF_BLOCK,
                {"brief_json": _example_json(brief), "output_schema": self.output_schema,
                 "variant": 1, "variants": 1},
            )
            answer = json.dumps(ex.answer, ensure_ascii=False)
            pairs.append((brief.locale == locale, user, answer))
        pairs.sort(key=lambda p: not p[0])
        return [(u, a) for _, u, a in pairs]

    def _block(self, name: str, ctx: dict[str, Any]) -> str:
        try:
            fn = self.template.blocks[name]
            text = "".join(fn(self.template.new_context(ctx)))
        except jinja2.TemplateError:
            self._reraise()
        return _tidy(text)

    def _partial(self, name: str, ctx: dict[str, Any]) -> str:
        try:
            return _tidy(self.env.get_template(name).render(ctx))
        except jinja2.TemplateError:
            self._reraise()

    def _reraise(self) -> NoReturn:
        """Turn the current Jinja error into a PromptError naming the template file and line."""
        try:
            self.env.handle_exception()  # rewrites the traceback to template line numbers
        except jinja2.TemplateError as e:
            raise PromptError(f"{self._where(e)}: {type(e).__name__}: {e}") from None
        raise AssertionError("unreachable")

    def _where(self, e: BaseException) -> str:
        """file:line of the innermost template frame in the traceback."""
        where = str(self.path)
        tb = e.__traceback__
        while tb is not None:
            fname = tb.tb_frame.f_code.co_filename
            if fname == str(self.path) or fname.endswith(".j2"):
                where = f"{fname}:{tb.tb_lineno}"
            tb = tb.tb_next
        return where


SAMPLE_PRODUCT = {"zh-CN": "示例产品", "ja-JP": "サンプル商品", "en-US": "Sample product"}
SAMPLE_FIELDS: dict[str, Any] = {
    "selling_points": ["sample selling point"],
    "offer": "sample offer",
    "interests": ["reading"],
    "preferred_times": ["fri 12:00"],
    "specialty_products": ["sample specialty"],
    "brand_voice": "warm and plain",
    "objective": "event",
}


def _example_json(brief: Brief) -> str:
    from contentgen.prompt_context import brief_json

    return brief_json(brief)


def _expand(items: list[str], allowed: tuple[str, ...]) -> tuple[str, ...]:
    return allowed if "*" in items else tuple(a for a in allowed if a in items)


def _tidy(text: str) -> str:
    """Collapse runs of blank lines left by conditionals; strip the ends."""
    lines = [ln.rstrip() for ln in text.strip().splitlines()]
    out: list[str] = []
    for ln in lines:
        if ln or (out and out[-1]):
            out.append(ln)
    return "\n".join(out)
