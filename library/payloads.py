"""Channel payloads: a released material version rendered by its channel's Jinja2 template.

One template per channel in `templates/`, named `<name>.<format>.j2`: `<name>` is the channel's
`template` in its registry file (channels/<id>.yaml; by default the channel id) and format is
`txt` (plain text), `md` (Markdown) or `json` (a JSON document, parsed and checked here).

    renderer = PayloadRenderer(Path("templates"))
    renderer.render(version)  # {"format": "text", "body": "..."}
"""

from __future__ import annotations

import functools
import json
import re
import threading
from collections import OrderedDict
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from contentgen.kernel import vocab
from contentgen.kernel.disclosures import Disclosures, default_disclosures, has_statement
from contentgen.kernel.errors import ChannelTemplateError, RulePackError

FORMATS: dict[str, str] = {"txt": "text", "md": "markdown", "json": "json"}
_NAME = re.compile(r"^(?P<name>[a-z0-9_]+)\.(?P<ext>txt|md|json)\.j2$")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]#|])")


def _md_inline(value: Any) -> str:
    """One line of Markdown: newlines folded, HTML and emphasis characters escaped."""
    text = " ".join(str(value).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def _paragraphs(value: Any) -> str:
    """Body text as Markdown paragraphs: one per non-empty line, each escaped."""
    return "\n\n".join(_md_inline(line) for line in str(value).splitlines() if line.strip())


def _seconds(value: Any) -> str:
    number = float(value)
    return f"{int(number)}s" if number.is_integer() else f"{number:g}s"


@functools.lru_cache(maxsize=16)
def _environment(templates_dir: Path) -> SandboxedEnvironment:
    """One environment per folder, shared: compiling templates is the slow part (auto_reload
    still recompiles a template whose file changed)."""
    # Templates are trusted code, but the sandbox keeps a careless one from reaching
    # Python internals; content is only ever passed in as variables.
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(templates_dir)),
        undefined=StrictUndefined,
        autoescape=False,
        keep_trailing_newline=False,
        auto_reload=True,
    )
    env.filters.update(md_inline=_md_inline, md_cell=_md_inline, paragraphs=_paragraphs, seconds=_seconds)
    return env


class PayloadRenderer:
    """Renders versions into channel payloads; compiled templates and results are cached."""

    def __init__(self, templates_dir: Path, *, cache_size: int = 20_000,
                 disclosures: Disclosures | None = None):
        self.templates_dir = Path(templates_dir)
        self.disclosures = disclosures
        if not self.templates_dir.is_dir():
            raise ChannelTemplateError(
                f"templates folder {self.templates_dir} does not exist; "
                "set CONTENTGEN_TEMPLATES_DIR or create it (see templates/README.md)"
            )
        self.env = _environment(self.templates_dir.resolve())
        self.templates: dict[str, tuple[str, str]] = self._discover()
        self._cache: OrderedDict[tuple[str, int, str], dict[str, Any]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def _discover(self) -> dict[str, tuple[str, str]]:
        """Template file and format by template name (a channel's `template`, by default its id)."""
        found: dict[str, tuple[str, str]] = {}
        for path in sorted(self.templates_dir.glob("*.j2")):
            m = _NAME.match(path.name)
            if not m:
                raise ChannelTemplateError(
                    f"template {path.name} is not named <channel>.<txt|md|json>.j2 (see templates/README.md)"
                )
            name = m["name"]
            if name in found:
                users = [c.id for c in vocab.CHANNEL_REGISTRY if c.template_name == name] or [name]
                raise ChannelTemplateError(
                    f"two templates for channel {users[0]!r}: {found[name][0]} and {path.name}; keep one"
                )
            found[name] = (path.name, FORMATS[m["ext"]])
        return found

    def _template(self, channel: str) -> tuple[str, str] | None:
        """The file and format that render a channel: the registry names it; an unknown channel, its id."""
        known = vocab.CHANNEL_REGISTRY.get(channel)
        return self.templates.get(known.template_name if known else channel)

    @property
    def channels(self) -> list[str]:
        """The channels this folder can render (a template no registry channel names counts as its own)."""
        named = {c.template_name for c in vocab.CHANNEL_REGISTRY}
        ids = {c.id for c in vocab.CHANNEL_REGISTRY if c.template_name in self.templates}
        return sorted(ids | {t for t in self.templates if t not in named})

    def missing_channels(self) -> list[str]:
        """Vocabulary channels with no template: the API cannot serve materials on them."""
        return [c for c in vocab.CHANNELS if self._template(c) is None]

    def render(self, version: dict[str, Any]) -> dict[str, Any]:
        """The payload of one version: {"format": "text"|"markdown"|"json", "body": str | object}.

        `version` carries `id`, `version`, `channel`, `locale`, `content` (a dict or its JSON) and the
        material's other dimensions. Versions are immutable, so results are cached by
        (id, version, channel).
        """
        key = (str(version.get("id")), int(version.get("version") or 0), str(version.get("channel")))
        with self._lock:
            cached = self._cache.get(key)
            if cached is not None:
                self._cache.move_to_end(key)
                return cached
        payload = self._render(version)
        with self._lock:
            self._cache[key] = payload
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return payload

    def _statements(self, channel: str, locale: str, content: Any) -> dict[str, Any]:
        """Required statements from the disclosures library, and whether the text has them."""
        known = vocab.CHANNEL_REGISTRY.get(channel)
        key = known.opt_out if known else None
        if key is None:
            return {}
        body = str(content.get("body") or "") if isinstance(content, dict) else ""
        lib = self.disclosures or default_disclosures()
        return {"opt_out": lib.text(key, locale) or "", "has_opt_out": has_statement(body, key, locale, lib)}

    def _render(self, version: dict[str, Any]) -> dict[str, Any]:
        channel = str(version.get("channel"))
        found = self._template(channel)
        if found is None:
            known = vocab.CHANNEL_REGISTRY.get(channel)
            raise ChannelTemplateError(
                f"no template for channel {channel!r} in {self.templates_dir}; "
                f"add {known.template_name if known else channel}.txt.j2 (see templates/README.md)"
            )
        name, fmt = found
        material = {k: v for k, v in version.items() if k != "content"}
        try:
            content = version["content"]
            if isinstance(content, str | bytes):  # JSON text straight from the store
                content = json.loads(content)
            out = self.env.get_template(name).render(
                content=content, material=material, locale=version["locale"],
                **self._statements(channel, version["locale"], content),
            )
        except TemplateError as e:
            raise ChannelTemplateError(
                f"template {name} failed for material {version.get('id')} v{version.get('version')}: {e}"
            ) from None
        except KeyError as e:
            raise ChannelTemplateError(f"cannot render {name}: the version has no {e} field") from None
        body: Any = out.strip()
        if fmt == "json":
            try:
                body = json.loads(out)
            except json.JSONDecodeError as e:
                raise ChannelTemplateError(f"template {name} did not produce JSON: {e}") from None
        return {"format": fmt, "body": body}


def sample_version(channel: str, locale: str, kind: str) -> dict[str, Any]:
    """A representative version for checking that a template renders (self-check, tests)."""
    contents: dict[str, dict[str, Any]] = {
        "push": {
            "kind": "push", "title": "Title", "body": "Body line", "deeplink": "app://x",
            "send_window": {"start": "09:00", "end": "21:00"},
        },
        "copy": {
            "kind": "copy", "headline": "Headline", "body": "Para 1\nPara 2", "cta": "Go",
            "hashtags": ["tag"], "images": 1,
        },
        "short_video_script": {
            "kind": "short_video_script", "title": "T", "hook": "H", "cta": "C",
            "total_duration_s": 5.0,
            "scenes": [{"duration_s": 5.0, "visual": "V", "voice_over": "O", "caption": "Cap"}],
        },
    }
    return {
        "id": "sample", "version": 1, "channel": channel, "locale": locale, "content_type": kind,
        "industry": "retail", "segment": "active.mass", "persona": "approachable", "tags": [],
        "plan_id": None, "send_at": None, "content": contents[kind],
    }


def self_check(renderer: PayloadRenderer) -> list[str]:
    """Render every channel × locale × allowed content type; the problems found, if any."""
    problems = [f"no template for channel {c!r}" for c in renderer.missing_channels()]
    for channel in renderer.channels:
        for locale in vocab.LOCALES:
            for kind in vocab.CHANNEL_CONTENT_TYPES.get(channel, vocab.CONTENT_TYPES):
                try:
                    renderer._render(sample_version(channel, locale, kind))
                except (ChannelTemplateError, RulePackError) as e:  # RulePackError: an unknown opt_out key
                    problems.append(f"{channel}/{locale}/{kind}: {e}")
    return problems
