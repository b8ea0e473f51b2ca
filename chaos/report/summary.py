"""The human summary of one scenario (Markdown): the source report's kind of table, then
each verdict with its message."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from chaos.checkers.verdict import Verdict, gate_passes
from chaos.checkers.windows import fault_windows
from chaos.history import History
from chaos.report.stats import RouteStats, route_stats


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:,.1f} ms"


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.2%}"


def _judged(verdict: Verdict) -> str:
    return "-" if verdict.evidence is None else f"{verdict.evidence:,} {verdict.unit}"


def escape_cell(text: str) -> str:
    """Text safe inside a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")


def _kinds(title: str, rows: list[RouteStats], pick: str) -> list[str]:
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update({f"{row.route} {k}": v for k, v in getattr(row, pick).items()})
    lines = ["", f"## {title}", ""]
    if not counts:
        return [*lines, "None."]
    lines += ["| route and kind | count |", "|---|---|"]
    return lines + [f"| {escape_cell(k)} | {v:,} |" for k, v in counts.most_common()]


def summary_markdown(
    scenario: str, history: History, verdicts: Sequence[Verdict], seed: int | None = None
) -> str:
    rows = route_stats(history)
    total = sum(r.requests for r in rows)
    verdict_line = "PASS" if gate_passes(verdicts) else "FAIL"
    lines = [
        f"# {scenario}: {verdict_line}",
        "",
        f"Seed: {seed if seed is not None else 'n/a'}. Requests: {total:,}.",
        "",
        "| route | requests | as expected | p50 | p95 | p99 | unexpected | shed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for row in rows:
        lines.append(
            f"| {row.route} | {row.requests:,} | {_pct(row.success_rate)} | {_ms(row.p50_ms)} "
            f"| {_ms(row.p95_ms)} | {_ms(row.p99_ms)} | {sum(row.unexpected.values()):,} "
            f"| {sum(row.shed.values()):,} |"
        )
    lines += [
        "",
        "As expected: what the contract promises (a 200; a 401 for a token revoked before "
        "the verify). Shed: a 429 or 503 with `Retry-After` (retry later). Unexpected: the "
        "rest.",
    ]
    lines += _kinds("Unexpected answers by kind", rows, "unexpected")
    lines += _kinds("Shed answers by kind", rows, "shed")
    windows = fault_windows(history)
    lines += ["", "## Faults", ""]
    if windows:
        origin = min(op.time_ns for op in history.ops)
        lines += ["| fault | effects | injected | healed after |", "|---|---|---|---|"]
        for w in windows:
            start = (w.start_ns - origin) / 1e9
            took = f"{(w.heal.time_ns - w.start_ns) / 1e9:.2f} s" if w.heal else "never healed"
            effects = ", ".join(sorted(w.effects)) or "-"
            lines.append(f"| {escape_cell(w.name)} | {effects} | +{start:.2f} s | {took} |")
    else:
        lines.append("None.")
    lines += [
        "", "## Verdicts", "", "| invariant | verdict | judged | message |", "|---|---|---|---|",
    ]  # fmt: skip
    lines += [
        f"| {v.invariant} | {v.label} | {_judged(v)} | {escape_cell(v.message)} |" for v in verdicts
    ]
    return "\n".join(lines) + "\n"
