"""Re-run the declared checks of saved scenarios from their folders alone, and compare.

    python -m chaos.recheck reports/chaos-20261206T120000Z-42            # a whole run
    python -m chaos.recheck reports/chaos-20261206T120000Z-42/jitter     # one scenario

A scenario folder holds ``history.jsonl``, ``inputs.json`` (with the files it names) and the
``verdicts.json`` the run wrote. Each verdict is re-computed and compared with the recorded
one, field by field. Exit status: 0 when every verdict is reproduced and none is false, 1
when an invariant is false (reproduced), 3 when a re-computed verdict differs from the
recorded one, 2 on bad input (one line naming the folder or file).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chaos.checkers import CheckInputs, InputsError, UnknownCheck, Verdict, run_checks
from chaos.checkers.inputs import INPUTS_FILE
from chaos.history import History

__all__ = ["Recheck", "recheck_folder", "run", "scenario_folders"]

HISTORY_FILE, VERDICTS_FILE = "history.jsonl", "verdicts.json"


class InputError(Exception):
    """Bad command-line input; the message is the one line printed."""


@dataclass(frozen=True)
class Recheck:
    """One scenario re-checked: the new verdicts and the recorded ones (None: none saved)."""

    folder: Path
    verdicts: tuple[Verdict, ...]
    recorded: tuple[dict[str, Any], ...] | None

    def differences(self) -> list[str]:
        """Invariants whose re-computed verdict is not the recorded one (each field)."""
        if self.recorded is None:
            return []
        now = [_plain(v.to_json()) for v in self.verdicts]
        then = [_plain(v) for v in self.recorded]
        out: list[str] = []
        for number in range(max(len(now), len(then))):
            new = now[number] if number < len(now) else None
            old = then[number] if number < len(then) else None
            if new == old:
                continue
            name = (new or old or {}).get("invariant", f"#{number}")
            fields = sorted(
                k for k in set(new or {}) | set(old or {})
                if (new or {}).get(k) != (old or {}).get(k)
            )  # fmt: skip
            out.append(f"{name}: {', '.join(fields) or 'missing'} differ")
        return out


def _plain(data: Any) -> Any:
    """JSON-equal form (tuples as lists, as the file holds them)."""
    return json.loads(json.dumps(data, sort_keys=True))


def scenario_folders(path: Path) -> list[Path]:
    """``path`` itself when it is a scenario folder, else its scenario subfolders."""
    if (path / HISTORY_FILE).is_file():
        return [path]
    found = sorted(p.parent for p in path.glob(f"*/{HISTORY_FILE}"))
    if not found:
        raise InputError(f"{path}: no {HISTORY_FILE} in it or in its subfolders")
    return found


def recheck_folder(folder: Path) -> Recheck:
    """Re-run the checks ``inputs.json`` declares on ``history.jsonl``."""
    if not (folder / INPUTS_FILE).is_file():
        raise InputError(f"{folder}: no {INPUTS_FILE} (written by the runner since this version)")
    try:
        history = History.load(folder / HISTORY_FILE)
        inputs = CheckInputs.load(folder)
        verdicts = run_checks(inputs.checks, history, inputs)
    except (ValueError, UnicodeDecodeError, InputsError, UnknownCheck) as exc:
        raise InputError(str(exc)) from exc
    recorded = None
    saved = folder / VERDICTS_FILE
    if saved.is_file():
        try:
            recorded = tuple(json.loads(saved.read_text(encoding="utf-8"))["verdicts"])
        except (ValueError, KeyError, TypeError) as exc:
            raise InputError(f"{saved}: {type(exc).__name__}: {exc}") from exc
    return Recheck(folder, tuple(verdicts), recorded)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m chaos.recheck",
        description="Re-run the declared checks of saved scenarios from their folders "
        "(history.jsonl + inputs.json) and compare with the recorded verdicts.",
    )
    parser.add_argument("path", type=Path, help="a scenario folder, or a run folder of them")
    parser.add_argument("--quiet", action="store_true", help="print only differences and totals")
    return parser


def run(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if not args.path.is_dir():
            raise InputError(f"{args.path}: no such folder")
        results = [recheck_folder(folder) for folder in scenario_folders(args.path)]
    except InputError as exc:
        print(f"recheck: {exc}", file=sys.stderr)
        return 2
    verdicts = same = 0
    false = differing = 0
    for result in results:
        differences = result.differences()
        if not args.quiet:
            print(f"== {result.folder.name}")
            for verdict in result.verdicts:
                print(f"{verdict.invariant:10} {verdict.label:7} {verdict.message}")
        for line in differences:
            print(f"DIFFERS {result.folder.name}: {line}")
        verdicts += len(result.verdicts)
        same += len(result.verdicts) - len(differences) if result.recorded is not None else 0
        false += sum(v.failed for v in result.verdicts)
        differing += bool(differences)
    recorded = sum(len(r.verdicts) for r in results if r.recorded is not None)
    print(
        f"recheck: {len(results)} scenario(s), {verdicts} verdict(s); {same} of {recorded} "
        f"recorded verdicts reproduced; {false} false"
    )
    if differing:
        return 3
    return 1 if false else 0


def main() -> None:
    sys.exit(run())


if __name__ == "__main__":
    main()
