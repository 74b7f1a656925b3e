"""The fault campaign: every fault and bad input a user can meet, tried on small real data.

A case provokes one fault (a truncated data file, a foreign model file, a SIGKILL mid-epoch, a full
disk, a bad parameter) and reports whether the project survived it (a clear error naming what is
wrong, or a correct recovery) and how many results were lost or corrupted (files that changed,
vanished or no longer load; metrics that differ from an uninterrupted run). `nox -s faults` runs
them all and prints the table; the test suite runs the same cases (tests/test_faults.py).

Each case gets its own folder with its own artifacts; the decoded datasets and the probe run's
reference metrics are shared across cases (`Bench`), so the campaign takes minutes, not hours.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .kit import CASE_FOLDER, CASES, Bench, FaultCase, Outcome, case_environment


def all_cases() -> list[FaultCase]:
    from . import cases_params, cases_data, cases_models, cases_processes, cases_demo  # noqa: F401, I001 (table order)

    return list(CASES)


def run_case(case: FaultCase, folder: Path, shared: Path, data_root: Path, memo: dict,
             seed: int = 42) -> Outcome:
    """One case in its own folder; an exception escaping it is a case not survived."""
    bench = Bench(folder, shared, data_root, seed, memo)
    CASE_FOLDER["path"] = str(folder)
    with case_environment(bench):
        try:
            return case.run(bench)
        except Exception as error:  # the case itself broke: report it, do not hide it
            return Outcome(False, 0, f"the case raised {type(error).__name__}: {error}")


# ---------------------------------------------------------------------------------------------
# The campaign and its table


@dataclass
class CaseResult:
    case: FaultCase
    outcome: Outcome
    seconds: float


def run_campaign(workdir: Path, data_root: Path, only: list[str] | None = None, seed: int = 42,
                 log: Callable[[str], None] = print) -> list[CaseResult]:
    """Every case (or those of the fault classes `only`), one after another, each in its folder."""
    cases = [case for case in all_cases() if not only or case.fault_class in only]
    shared = workdir / "shared"
    memo: dict = {}
    results = []
    for number, case in enumerate(cases, start=1):
        started = time.perf_counter()
        outcome = run_case(case, workdir / case.name, shared, data_root, memo, seed)
        results.append(CaseResult(case, outcome, time.perf_counter() - started))
        verdict = "survived" if outcome.survived and outcome.lost == 0 else "FAILED"
        log(f"[{number}/{len(cases)}] {case.fault_class} / {case.name}: {verdict} "
            f"({results[-1].seconds:.1f} s) {outcome.detail}")
    return results


def results_table(results: list[CaseResult]) -> str:
    """Fault class, cases tried, cases survived, results lost or corrupted (Markdown)."""
    rows = {}
    for result in results:
        row = rows.setdefault(result.case.fault_class, [0, 0, 0])
        row[0] += 1
        row[1] += result.outcome.survived
        row[2] += result.outcome.lost
    lines = ["| fault class | cases tried | cases survived | results lost or corrupted |",
             "|---|---:|---:|---:|"]
    lines += [f"| {name} | {tried} | {survived} | {lost} |"
              for name, (tried, survived, lost) in rows.items()]
    totals = [sum(row[index] for row in rows.values()) for index in range(3)]
    lines.append(f"| **all** | **{totals[0]}** | **{totals[1]}** | **{totals[2]}** |")
    return "\n".join(lines)
