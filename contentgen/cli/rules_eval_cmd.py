"""`contentgen rules eval FILE.jsonl ...`: the filter measured on labelled cases."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from contentgen.cli._common import emit_json, format_option
from contentgen.compliance.evaluate import evaluate, read_cases
from contentgen.compliance.pack_loading import load_packs
from contentgen.kernel.config import Settings


def _pct(rate: dict[str, Any]) -> str:
    if rate["value"] is None:
        return "   n/a          "
    return f"{rate['value']:6.1%} [{rate['low']:.0%}–{rate['high']:.0%}]".ljust(16)


def _row(name: str, s: dict[str, Any]) -> str:
    return (f"{name:<28} {s['violations']:>5} {s['compliant']:>5}  recall {_pct(s['recall'])} "
            f"precision {_pct(s['precision'])} FP {_pct(s['false_positive_rate'])} warned {_pct(s['warning_rate'])}")


def _case_line(c: dict[str, Any]) -> str:
    text = c["text"].replace("\n", " ")
    text = text if len(text) <= 90 else text[:89] + "…"
    rules = ", ".join(f"{f['rule']}({f['severity']}: {f['match']!r})" for f in c["findings"]) or "no finding"
    return f"  {c['id']} [{c['category']}] {text}\n      → {rules}"


def register(rules: click.Group) -> None:
    @rules.command("eval")
    @click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
    @click.option("--rules-dir", type=click.Path(file_okay=False), default=None,
                  help="Rule packs (default: $CONTENTGEN_RULES_DIR or ./rules).")
    @format_option("text", "json")
    @click.option("--min-recall", type=click.FloatRange(0, 1), default=None,
                  help="Exit 1 when any locale's recall is below this.")
    @click.option("--max-fpr", type=click.FloatRange(0, 1), default=None,
                  help="Exit 1 when any locale's false-positive rate is above this.")
    @click.option("--show", type=click.IntRange(0), default=20, show_default=True,
                  help="Misses and false positives listed (text format).")
    def eval_(files: tuple[str, ...], rules_dir: str | None, fmt: str, min_recall: float | None,
              max_fpr: float | None, show: int) -> int:
        """Measure the rule packs on labelled cases (JSON Lines: id, locale, industry, channel,
        text, label violation|compliant, category).

        A violation is caught by an error or a warning; a compliant text is a false positive when
        an error fires. Rates per locale and category with 95% Wilson intervals.
        """
        cases = [c for f in files for c in read_cases(Path(f))]
        rdir = Path(rules_dir) if rules_dir else Settings.load().rules_dir
        packs = load_packs(rdir)
        if sys.stderr.isatty() and fmt == "text":
            with click.progressbar(length=len(cases), label="checking", file=sys.stderr) as bar:
                result = evaluate(cases, packs, rdir, progress=bar.update)
        else:
            result = evaluate(cases, packs, rdir)
        failing = [loc for loc, s in result["locales"].items()
                   if (min_recall is not None and (s["recall"]["value"] or 0) < min_recall)
                   or (max_fpr is not None and (s["false_positive_rate"]["value"] or 0) > max_fpr)]
        if fmt == "json":
            emit_json({**result, "failing_locales": failing})
        else:
            click.echo(f"{'':<28} {'viol':>5} {'ok':>5}")
            click.echo(_row("all", result["total"]))
            for loc, s in result["locales"].items():
                click.echo(_row(loc, s))
            click.echo("")
            for cat, s in result["categories"].items():
                click.echo(_row(cat, s))
            for title, key in (("misses", "misses"), ("false positives", "false_positives")):
                items = result[key]
                click.echo(f"\n{title}: {len(items)}" + (f" (first {show})" if len(items) > show else ""))
                for c in items[:show]:
                    click.echo(_case_line(c))
            if failing:
                click.echo(f"\nbelow the floor: {', '.join(failing)}", err=True)
        return 1 if failing else 0
