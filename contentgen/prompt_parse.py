"""Reading a prompt file: front matter checked against PromptMeta, the body compiled in the
sandbox, includes and examples checked, every error naming the file and line."""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
import yaml
from jinja2 import meta, nodes
from jinja2.sandbox import SandboxedEnvironment
from pydantic import ValidationError

from contentgen.kernel.errors import BriefError, PromptError
from contentgen.kernel.schemas import CONTENT_MODELS
from contentgen.prompt_context import Guidance
from contentgen.prompt_file import BLOCKS, BRIEF_BLOCK, PromptFile
from contentgen.prompt_meta import PromptMeta


def make_env(partials: Path) -> SandboxedEnvironment:
    """The only environment prompt files are rendered in: sandboxed, strict, partials only."""
    return SandboxedEnvironment(
        loader=jinja2.FileSystemLoader(str(partials)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
        auto_reload=False,  # the catalog reloads (with a new environment) when a file changes
        cache_size=-1,
    )


def parse_file(path: Path, prompt_id: str, env: SandboxedEnvironment, guidance: Guidance) -> PromptFile:
    """Parse and validate one prompt file; PromptError names file:line and the problem."""
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise PromptError(f"{path}: not UTF-8 (byte {e.start}); save the file as UTF-8") from None
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise PromptError(f"{path}:1: a prompt file starts with '---' and YAML front matter")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        raise PromptError(f"{path}:1: front matter is not closed by a '---' line")
    front = "".join(lines[1:end])
    try:
        data = yaml.safe_load(front)
        key_lines = _key_lines(front)
    except yaml.YAMLError as e:
        # The start of the unclosed construct (context) is where a person looks first.
        mark = getattr(e, "context_mark", None) or getattr(e, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        raise PromptError(f"{path}:{line}: invalid YAML: {getattr(e, 'problem', e)}") from None
    if not isinstance(data, dict):
        raise PromptError(f"{path}:2: front matter must be a mapping of keys (id, version, ...)")
    try:
        pmeta = PromptMeta(**data)
    except (ValidationError, TypeError) as e:
        raise PromptError(_meta_error(path, e, key_lines)) from None
    if pmeta.id != prompt_id:
        raise PromptError(f"{path}:{key_lines.get('id', 2)}: id {pmeta.id!r} must match the file name: {prompt_id!r}")
    pinned = path.stem.partition("@")[2]  # <name>@<version>.md: another version of the same id
    if pinned and pinned != pmeta.version:
        raise PromptError(f"{path}:{key_lines.get('version', 2)}: version {pmeta.version!r} must match "
                          f"the file name's @{pinned}")
    body_line = end + 2
    # Blank lines in place of the front matter: Jinja line numbers become file line numbers.
    source = "\n" * (end + 1) + "".join(lines[end + 1 :])
    template = _compile(env, source, path)
    pf = PromptFile(path, pmeta, hashlib.sha256(raw).hexdigest(), body_line, template, guidance, env, key_lines)
    _check_examples(pf)
    return pf


def _key_lines(front: str) -> dict[str, int]:
    node = yaml.compose(front)
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: k.start_mark.line + 2 for k, _ in node.value if isinstance(k, yaml.ScalarNode)}


def _meta_error(path: Path, e: Exception, key_lines: dict[str, int]) -> str:
    if isinstance(e, TypeError):
        return f"{path}:2: {e}"
    problems = []
    for err in e.errors():  # type: ignore[attr-defined]
        loc = err.get("loc", ())
        msg = err.get("msg", "").removeprefix("Value error, ")
        # Cross-field checks have no location; their message starts with the key at fault.
        key = str(loc[0]) if loc else (msg.split() or [""])[0]
        line = key_lines.get(key, 2)
        what = ".".join(str(x) for x in loc) or key
        if err.get("type") == "extra_forbidden":
            msg = f"unknown key; allowed: {', '.join(PromptMeta.model_fields)}"
        problems.append(f"{path}:{line}: {what}: {msg}")
    return "; ".join(problems)


def _compile(env: SandboxedEnvironment, source: str, path: Path) -> jinja2.Template:
    try:
        ast = env.parse(source, name=path.name, filename=str(path))
        code = env.compile(ast, name=path.name, filename=str(path))
    except jinja2.TemplateSyntaxError as e:
        raise PromptError(f"{path}:{e.lineno}: Jinja syntax error: {e.message}") from None
    names = {b.name for b in ast.find_all(nodes.Block)}
    missing = [b for b in BLOCKS if b not in names]
    if missing:
        raise PromptError(f"{path}: body needs {{% block {missing[0]} %}} ... {{% endblock %}}")
    _check_includes(env, ast, path, source, seen=set())
    return env.template_class.from_code(env, code, env.make_globals(None))


def _check_includes(env: SandboxedEnvironment, ast: nodes.Template, path: Path, source: str, seen: set[str]) -> None:
    """Every included partial exists (recursively) and nobody includes the brief block twice."""
    for name in meta.find_referenced_templates(ast):
        line = _line_of(source, name)
        if name is None:
            raise PromptError(f"{path}:{line}: include with a computed name; name the partial literally")
        if name == BRIEF_BLOCK:
            raise PromptError(f"{path}:{line}: do not include {BRIEF_BLOCK}; the renderer appends it to the user message")
        if name in seen:
            continue
        seen.add(name)
        try:
            src, filename, _ = env.loader.get_source(env, name)  # type: ignore[union-attr]
        except jinja2.TemplateNotFound:
            raise PromptError(f"{path}:{line}: partial {name!r} not found in prompts/partials/") from None
        try:
            sub = env.parse(src, name=name, filename=filename)
        except jinja2.TemplateSyntaxError as e:
            raise PromptError(f"{filename}:{e.lineno}: Jinja syntax error: {e.message}") from None
        _check_includes(env, sub, Path(filename or name), src, seen)


def _line_of(source: str, needle: str | None) -> int:
    if needle:
        for i, ln in enumerate(source.splitlines(), 1):
            if needle in ln:
                return i
    return 1


def _check_examples(pf: PromptFile) -> None:
    schema = CONTENT_MODELS[pf.output_schema]
    line = pf.key_lines.get("examples", 2)
    for i, ex in enumerate(pf.meta.examples, 1):
        try:
            schema(**ex.answer)
        except ValidationError as e:
            from contentgen.kernel.errors import validation_message

            raise PromptError(f"{pf.path}:{line}: examples[{i}].answer does not fit {pf.output_schema}: {validation_message(e)}") from None
        except TypeError as e:
            raise PromptError(f"{pf.path}:{line}: examples[{i}].answer: {e}") from None
        try:
            pf.sample_brief(**ex.brief)
        except BriefError as e:
            raise PromptError(f"{pf.path}:{line}: examples[{i}].brief: {e}") from None
