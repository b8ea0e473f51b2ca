"""The run's index (Markdown and HTML): scenario -> pass/fail -> which invariant broke and
where (token, worker, time), and which could not be judged and why (an ``unknown`` is never
hidden in a pass), enough for a release manager to read alone."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from chaos.checkers.verdict import Verdict, gate_passes
from chaos.report.summary import escape_cell


@dataclass(frozen=True)
class ScenarioResult:
    """One scenario's verdicts and where its files are (relative to the index)."""

    name: str
    path: str
    verdicts: tuple[Verdict, ...]
    seed: int | None = None

    @property
    def passed(self) -> bool:
        return gate_passes(self.verdicts)

    @property
    def unknowns(self) -> list[Verdict]:
        return [v for v in self.verdicts if v.valid == "unknown"]

    @property
    def result(self) -> str:
        if not self.passed:
            return "FAIL"
        unknown = len(self.unknowns)
        return f"pass, {unknown} unknown" if unknown else "pass"


def where(verdict: Verdict) -> str:
    """Token, worker and time of the first offending op, or '-'."""
    if not verdict.offending:
        return "-"
    op = verdict.offending[0]
    return f"token {op.jti or '-'}, worker {op.worker or op.target or '-'}, {op.wall_time or '-'}"


def _broken(result: ScenarioResult) -> list[Verdict]:
    return [v for v in result.verdicts if v.failed]


def _listed(result: ScenarioResult) -> list[Verdict]:
    """The verdicts the index shows a line for: every false one, then every unknown one."""
    return _broken(result) + result.unknowns


def _label(verdict: Verdict) -> str:
    return "FAIL" if verdict.failed else "unknown"


def index_markdown(results: Sequence[ScenarioResult], title: str = "Resilience gate") -> str:
    failed = [r for r in results if not r.passed]
    unknown = sum(len(r.unknowns) for r in results)
    lines = [
        f"# {title}: {'FAIL' if failed else 'PASS'}",
        "",
        f"{len(results)} scenario(s), {len(failed)} failed; {unknown} verdict(s) unknown "
        "(listed with the reason they could not be judged).",
        "",
        "| scenario | result | invariant broken or unknown | where | seed |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        link = f"[{escape_cell(r.name)}]({r.path}/summary.md)"
        seed = "-" if r.seed is None else str(r.seed)
        listed = _listed(r)
        if not listed:
            lines.append(f"| {link} | {r.result} | - | - | {seed} |")
        for v in listed:
            lines.append(
                f"| {link} | {_label(v)} | {v.invariant}: {escape_cell(v.message)} | "
                f"{escape_cell(where(v))} | {seed} |"
            )
    return "\n".join(lines) + "\n"


def index_html(results: Sequence[ScenarioResult], title: str = "Resilience gate") -> str:
    failed = [r for r in results if not r.passed]
    rows: list[str] = []
    for r in results:
        link = f'<a href="{escape(r.path)}/summary.md">{escape(r.name)}</a>'
        pic = f'<a href="{escape(r.path)}/timeline.svg">timeline</a>'
        seed = "-" if r.seed is None else str(r.seed)
        listed = _listed(r)
        if not listed:
            rows.append(
                f'<tr class="pass"><td>{link}</td><td>{escape(r.result)}</td><td>-</td>'
                f"<td>-</td><td>{seed}</td><td>{pic}</td></tr>"
            )
        for v in listed:
            cls = "fail" if v.failed else "unknown"
            rows.append(
                f'<tr class="{cls}"><td>{link}</td><td>{_label(v)}</td><td>'
                f"{escape(v.invariant)}: {escape(v.message)}</td><td>{escape(where(v))}</td>"
                f"<td>{seed}</td><td>{pic}</td></tr>"
            )
    verdict = "FAIL" if failed else "PASS"
    return (
        "<!doctype html>\n<html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}: {verdict}</title>"
        "<style>body{font-family:sans-serif}td,th{border:1px solid #ccc;padding:4px}"
        "table{border-collapse:collapse}.fail{background:#ffebee}.pass{background:#e8f5e9}"
        ".unknown{background:#fff8e1}"
        "</style></head><body>"
        f"<h1>{escape(title)}: {verdict}</h1>"
        f"<p>{len(results)} scenario(s), {len(failed)} failed.</p>"
        "<table><tr><th>scenario</th><th>result</th><th>invariant broken or unknown</th>"
        "<th>where</th>"
        "<th>seed</th><th>picture</th></tr>" + "".join(rows) + "</table></body></html>\n"
    )
