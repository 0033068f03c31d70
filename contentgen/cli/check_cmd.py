"""`contentgen check`: lint text files (or stdin) against the rule packs."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from contentgen.cli._common import emit_json, format_option
from contentgen.compliance import MAX_CHARS, apply_fixes, check_text, unified_diff
from contentgen.compliance.sarif import line_col, to_sarif
from contentgen.kernel import vocab
from contentgen.kernel.errors import UsageError, check_identifier
from contentgen.kernel.report import ComplianceReport, Finding

STDIN = "-"


def read_input(path: str) -> str:
    """Read a file (or stdin) as bytes and decode strictly, naming the file and byte on error."""
    name = "<stdin>" if path == STDIN else path
    try:
        if path == STDIN:
            raw: bytes = sys.stdin.buffer.read()
        else:
            raw = Path(path).read_bytes()
    except OSError as e:
        raise UsageError(f"cannot read {name}: {e.strerror or e}") from None
    if len(raw) > MAX_CHARS * 4:
        raise UsageError(f"{name} is {len(raw):,} bytes; the limit is {MAX_CHARS:,} characters (split it)")
    nul = raw.find(b"\x00")
    if nul >= 0:
        raise UsageError(f"{name} looks binary (NUL byte at byte offset {nul}); give a UTF-8 text file")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise UsageError(
            f"{name} is not valid UTF-8 at byte offset {e.start} (byte 0x{raw[e.start]:02x}); save it as UTF-8"
        ) from None


def _line(path: str, text: str, f: Finding) -> str:
    line, col = line_col(text, f.start)
    out = f"{path}:{line}:{col} {f.severity} {f.rule}{' [judge]' * (f.source == 'judge')} {f.message}"
    if f.suggestion:
        out += f" ({f.suggestion})"
    if f.reference:
        out += f" [{f.reference}]"
    return out


def _counts(report: ComplianceReport) -> str:
    counts = {s: sum(1 for f in report.findings if f.severity == s) for s in ("error", "warning", "info")}
    return (f"{report.verdict} — {counts['error']} error(s), {counts['warning']} warning(s), "
            f"{counts['info']} info ({len(report.packs)} pack(s) checked"
            + (f"; judge {report.judge.split()[0].rstrip(':')})" if report.judge else ")"))


def register(cli: click.Group) -> None:
    @cli.command("check")
    @click.argument("files", nargs=-1)
    @click.option("--locale", required=True, help="zh-CN, ja-JP, en-US")
    @click.option("--industry", default=None, help=", ".join(vocab.INDUSTRIES))
    @click.option("--channel", default=None, help=", ".join(vocab.CHANNELS))
    @click.option("--content-type", "content_type", default=None, help=", ".join(vocab.CONTENT_TYPES))
    @click.option("--segment", default=None, help="<lifecycle>.<value tier>, e.g. dormant.price_sensitive")
    @click.option("--product-type", "product_type", default=None,
                  help="Where it changes the law: " + ", ".join(vocab.PRODUCT_TYPES) + " (default: inferred from the text).")
    @format_option("text", "json", "sarif")
    @click.option("--fix", is_flag=True, help="Apply substitutions and print a unified diff; the file is not changed.")
    @click.option("--write", is_flag=True, help="With --fix: also write the fixed text back to each FILE.")
    @click.option("--rules-dir", type=click.Path(file_okay=False), default=None,
                  help="Rule packs (default: $CONTENTGEN_RULES_DIR or ./rules).")
    @click.option("--judge", is_flag=True, help="Also ask the configured model (OPENAI_API_KEY) for a "
                  "semantic review; its findings warn, and block only when a rule agrees.")
    def check(files: tuple[str, ...], locale: str, industry: str | None, channel: str | None,
              content_type: str | None, segment: str | None, product_type: str | None, fmt: str, fix: bool,
              write: bool, rules_dir: str | None, judge: bool) -> int:
        """Check text against the compliance rule packs (FILE ... or - for stdin).

        Exit 0 when nothing blocks, 1 when an error-level finding remains, 2 on bad usage.
        With --fix the exit code is that of the fixed text.
        """
        check_identifier("locale", locale, vocab.LOCALES)
        for kind, value, allowed in (("industry", industry, vocab.INDUSTRIES), ("channel", channel, vocab.CHANNELS),
                                     ("content type", content_type, vocab.CONTENT_TYPES),
                                     ("segment", segment, vocab.SEGMENTS),
                                     ("product type", product_type, vocab.PRODUCT_TYPES)):
            if value is not None:
                check_identifier(kind, value, allowed)
        if write and not fix:
            raise UsageError("--write only goes with --fix")
        if fix and fmt == "sarif":
            raise UsageError("SARIF already carries each substitution as a fix; use --fix with --format text or json")
        paths = list(files) or [STDIN]
        if write and STDIN in paths:
            raise UsageError("--write cannot write to stdin; give FILE paths")
        if judge and fix:
            raise UsageError("--judge reviews the text as it is; run it without --fix")
        texts = [(p, read_input(p)) for p in paths]
        reviewer = _judge(rules_dir) if judge else None
        opts: dict[str, Any] = {"locale": locale, "industry": industry, "channel": channel,
                                "content_type": content_type, "segment": segment, "product_type": product_type,
                                "rules_dir": rules_dir}
        results = []
        for p, text in texts:
            try:
                results.append((p, text, check_text(text, **opts)))
            except UsageError as e:
                raise UsageError(f"{'<stdin>' if p == STDIN else p}: {e}") from None
            if reviewer is not None:
                results[-1] = (p, text, _judged(reviewer, p, text, results[-1][2]))
        if fmt == "sarif":
            emit_json(to_sarif([("stdin" if p == STDIN else p, t, r) for p, t, r in results]))
            return max((1 if r.blocked else 0) for _, _, r in results)
        worst = 0
        for p, text, report in results:
            name = "<stdin>" if p == STDIN else p
            if fix:
                worst = max(worst, _fix_one(p, name, text, report, fmt, opts, write, several=len(results) > 1))
                continue
            worst = max(worst, 1 if report.blocked else 0)
            if fmt == "json":
                data = report.model_dump(mode="json")
                emit_json({"path": name, **data} if len(results) > 1 else data, lines=len(results) > 1)
            else:
                for f in report.findings:
                    click.echo(_line(name, text, f))
                click.echo(f"{name}: {_counts(report)}")
        return worst


def _judge(rules_dir: str | None) -> Any:
    from contentgen.compliance.judge import OFF, Judge

    reviewer = Judge(rules_dir=rules_dir)
    if not reviewer.configured:
        click.echo(f"note: judge {OFF}", err=True)
    return reviewer


def _judged(reviewer: Any, path: str, text: str, report: ComplianceReport) -> ComplianceReport:
    """The report with the judge's findings; a failed judge is said on stderr, never fatal."""
    report = reviewer.review(text, report)
    if reviewer.configured and report.judge and report.judge.startswith("failed"):
        click.echo(f"{'<stdin>' if path == STDIN else path}: judge {report.judge}", err=True)
    return report


def _fix_one(path: str, name: str, text: str, report: ComplianceReport, fmt: str,
             opts: dict[str, Any], write: bool, several: bool) -> int:
    fixed, applied = apply_fixes(text, report)
    after = check_text(fixed, **opts) if fixed.strip() else report
    diff = unified_diff(text, fixed, name)
    if write and applied:
        Path(path).write_text(fixed, encoding="utf-8")
    if fmt == "json":
        data = report.model_dump(mode="json")
        data["fix"] = {"applied": len(applied), "written": bool(write and applied), "diff": diff,
                       "text": fixed, "verdict": after.verdict,
                       "findings": [f.model_dump(mode="json") for f in after.findings]}
        emit_json({"path": name, **data} if several else data, lines=several)
    else:
        click.echo(diff, nl=False)
        for f in after.findings:
            click.echo(_line(name + " (fixed)", fixed, f))
        state = "written" if write and applied else "not written (add --write)"
        click.echo(f"{name}: {len(applied)} fix(es) applied, {state}; remaining: {_counts(after)}")
    return 1 if after.blocked else 0
