"""`contentgen feedback suggest|accept|dismiss|prompt-notes|export`: reviewer decisions as data."""

from __future__ import annotations

import sys
from typing import Any

import click

from contentgen.cli._common import db_option, emit_json, format_option
from contentgen.cli.library_cmd import _actor, _as_option, open_library

_rules_dir = click.option("--rules-dir", default=None, type=click.Path(file_okay=False),
                          help="Rule packs to check against and write to (default: CONTENTGEN_RULES_DIR or rules/).")
_min_support = click.option("--min-support", type=click.IntRange(min=2), default=3, show_default=True,
                            help="Distinct materials a term must have been edited out of.")


@click.group("feedback")
def feedback_group() -> None:
    """Reviewer decisions fed back: rule suggestions mined from edits, notes per prompt, the dataset."""


def _as_dict(s: Any) -> dict[str, Any]:
    return {"id": s.id, "locale": s.locale, "kind": s.kind, "term": s.term, "replacement": s.replacement,
            "support": s.support, "rule_id": s.rule_id,
            "examples": [{"before": b, "after": a} for b, a in s.examples], "yaml": s.yaml()}


@feedback_group.command("suggest")
@_rules_dir
@_min_support
@click.option("--all", "include_decided", is_flag=True, help="Also suggestions accepted or dismissed before.")
@format_option("text", "json")
@db_option
def suggest_cmd(rules_dir: str | None, min_support: int, include_decided: bool, fmt: str, db: str | None) -> None:
    """Terms people keep removing or replacing between the generated and the approved text, as
    proposed rules (YAML) with the real edits as their examples; the packs' own terms left out."""
    from contentgen.usecases import feedback

    found = feedback.suggestions(open_library(db), rules_dir, min_support=min_support,
                                 include_decided=include_decided)
    if fmt == "json":
        emit_json([_as_dict(s) for s in found])
        return
    if not found:
        click.echo(f"no suggestions: no term was edited out of {min_support}+ approved materials "
                   "that the rule packs do not already flag")
        return
    for s in found:
        change = f"→ {s.replacement}" if s.replacement else "removed"
        click.echo(f"{s.id}  {s.locale}  {s.kind:<12} {s.term} {change}  ({s.support} materials)")
        for before, after in s.examples[:2]:
            click.echo(f"    was: {before}\n    now: {after}")
        click.echo(s.yaml().rstrip())
        click.echo("")
    click.echo(f"{len(found)} suggestion(s). Accept one: contentgen feedback accept SUG_ID --as USER "
               "(compliance, admin)")


@feedback_group.command("accept")
@click.argument("suggestion_id")
@_rules_dir
@_min_support
@_as_option
@db_option
def accept_cmd(suggestion_id: str, rules_dir: str | None, min_support: int, actor: str | None,
               db: str | None) -> None:
    """Add the suggested rule to rules/<locale>/reviewer-suggestions.yaml (all packs checked; the
    file is kept only when they pass), then rescan the library against the new packs."""
    from contentgen.usecases import feedback

    lib = open_library(db)
    done = feedback.accept(lib, suggestion_id, actor=_actor(lib, actor), rules_dir=rules_dir,
                           min_support=min_support)
    click.echo(f"rule {done.suggestion.rule_id} added to {done.path}; all packs pass `rules check`")
    click.echo(done.rescan.summary())


@feedback_group.command("dismiss")
@click.argument("suggestion_id")
@click.option("--note", default=None, help="Why it is not a rule (kept with the decision).")
@_rules_dir
@_min_support
@_as_option
@db_option
def dismiss_cmd(suggestion_id: str, note: str | None, rules_dir: str | None, min_support: int,
                actor: str | None, db: str | None) -> None:
    """Record that a suggestion is not a rule; it is not suggested again."""
    from contentgen.usecases import feedback

    lib = open_library(db)
    s = feedback.dismiss(lib, suggestion_id, actor=_actor(lib, actor), note=note, rules_dir=rules_dir,
                         min_support=min_support)
    click.echo(f"dismissed {s.id} ({s.term})")


@feedback_group.command("prompt-notes")
@click.option("--min-count", type=click.IntRange(min=1), default=2, show_default=True,
              help="A reason counts as recurring from this many decisions.")
@format_option("text", "json")
@db_option
def prompt_notes_cmd(min_count: int, fmt: str, db: str | None) -> None:
    """Per prompt: decisions, drafts turned back (rejected or sent back) and the recurring reasons."""
    from contentgen.usecases import feedback

    found = feedback.prompt_notes(open_library(db), min_count=min_count)
    if fmt == "json":
        emit_json([{"prompt": p.prompt, "decisions": p.decisions, "turned_back": p.turned_back,
                    "reasons": [{"reason": r, "count": c} for r, c in p.reasons]} for p in found])
        return
    if not found:
        click.echo("no review decisions yet")
    for p in found:
        click.echo(f"{p.prompt}: {p.decisions} decisions, {p.turned_back} turned back")
        for reason, count in p.reasons:
            click.echo(f"    {count}×  {reason}")


@feedback_group.command("export")
@click.option("--out", "out", default="-", type=click.Path(dir_okay=False, allow_dash=True), show_default=True,
              help="JSONL file to write (- for standard output).")
@db_option
def export_cmd(out: str, db: str | None) -> None:
    """Every review decision as JSONL: text, edit (unified diff from the generated text), label,
    reason, reviewer role, and the material's scope — for evaluation or fine-tuning."""
    from contentgen.usecases import feedback

    lib = open_library(db)
    if out == "-":
        n = feedback.export_decisions(lib, sys.stdout)
    else:
        with click.open_file(out, "w", encoding="utf-8", atomic=True) as f:
            n = feedback.export_decisions(lib, f)
    click.echo(f"{n} decision(s) written" + ("" if out == "-" else f" to {out}"), err=True)


def register(cli: click.Group) -> None:
    cli.add_command(feedback_group)
