"""`contentgen rules list | show | check | test`: browse and validate the rule packs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click
import yaml

from contentgen.cli._common import F, emit_json, format_option
from contentgen.cli.rules_eval_cmd import register as register_eval
from contentgen.compliance.examples import run_examples
from contentgen.compliance.pack_loading import load_packs, read_packs
from contentgen.compliance.packs import RulePack, dump, find_rule
from contentgen.kernel.config import Settings


def _dir(rules_dir: str | None) -> Path:
    return Path(rules_dir) if rules_dir else Settings.load().rules_dir


def _rules_dir_option(f: F) -> F:
    return click.option("--rules-dir", type=click.Path(file_okay=False), default=None,
                        help="Rule packs (default: $CONTENTGEN_RULES_DIR or ./rules).")(f)


def _scope_summary(pack: RulePack, i: int) -> str:
    scope = pack.rule_scope(pack.rules[i])
    parts = []
    for name in ("industries", "channels", "content_types", "segments", "fields"):
        values = getattr(scope, name)
        if values:
            parts.append(f"{name}={','.join(values)}")
    if scope.exclude.industries:
        parts.append(f"not industries={','.join(scope.exclude.industries)}")
    return " ".join(parts) or "all"


def register(cli: click.Group) -> None:
    @cli.group("rules")
    def rules() -> None:
        """Browse and validate the compliance rule packs under rules/."""

    @rules.command("list")
    @_rules_dir_option
    @format_option("text", "json")
    def list_(rules_dir: str | None, fmt: str) -> None:
        """List every rule: id, kind, level, locales, scope, pack."""
        packs = load_packs(_dir(rules_dir))
        rows: list[dict[str, Any]] = [{"id": r.id, "kind": r.kind, "level": r.level, "locales": pack.rule_scope(r).locales,
                 "scope": _scope_summary(pack, i), "pack": pack.id, "version": pack.version,
                 "reference": r.reference}
                for pack in packs for i, r in enumerate(pack.rules)]
        if fmt == "json":
            emit_json(rows)
            return
        width = max(len(r["id"]) for r in rows)
        for r in rows:
            click.echo(f"{r['id']:<{width}}  {r['kind']:<12} {r['level']:<7} "
                       f"{','.join(r['locales'] or []):<18} {r['scope']}")
        click.echo(f"{len(rows)} rules in {len(packs)} packs")

    @rules.command("show")
    @click.argument("rule_id")
    @_rules_dir_option
    @format_option("text", "json")
    def show(rule_id: str, rules_dir: str | None, fmt: str) -> None:
        """Show one rule in full, with the file and line it is defined at."""
        packs = load_packs(_dir(rules_dir))
        pack, rule = find_rule(packs, rule_id)
        where = f"{pack.path}:{pack.line_of(pack.rule_path(rule.id))}"
        data = {"pack": pack.id, "version": pack.version, "sha256": pack.sha256, "defined_at": where,
                **dump(rule)}
        if fmt == "json":
            emit_json(data)
        else:
            click.echo(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100).rstrip())

    @rules.command("check")
    @_rules_dir_option
    @format_option("text", "json")
    def check(rules_dir: str | None, fmt: str) -> int:
        """Validate packs: YAML, schema, regexes, duplicate ids, references, and every example."""
        packs, problems = read_packs(_dir(rules_dir))
        problems += [r.describe() for r in run_examples(packs) if not r.ok]
        if fmt == "json":
            emit_json({"ok": not problems, "packs": len(packs), "problems": problems})
        else:
            for p in problems:
                click.echo(p)
            n_rules = sum(len(p.rules) for p in packs)
            click.echo(f"{len(packs)} packs, {n_rules} rules: "
                       + ("ok" if not problems else f"{len(problems)} problem(s)"))
        return 1 if problems else 0

    @rules.command("test")
    @_rules_dir_option
    @format_option("text", "json")
    def test(rules_dir: str | None, fmt: str) -> int:
        """Run every rule's own examples (hit and clean) and print the counts."""
        packs = load_packs(_dir(rules_dir))
        results = run_examples(packs)
        failed = [r for r in results if not r.ok]
        hits = sum(1 for r in results if r.expect == "hit")
        if fmt == "json":
            emit_json({"examples": len(results), "hit": hits, "clean": len(results) - hits,
                       "passed": len(results) - len(failed), "failed": [r.describe() for r in failed]})
        else:
            for r in failed:
                click.echo(r.describe())
            n_rules = sum(len(p.rules) for p in packs)
            click.echo(f"{len(results)} examples ({hits} hit, {len(results) - hits} clean) in {n_rules} rules: "
                       f"{len(results) - len(failed)} passed, {len(failed)} failed")
        return 1 if failed else 0

    register_eval(rules)
