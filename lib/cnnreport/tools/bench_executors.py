"""Benchmark: a study's runs made by the `local` executor against `processes`, from scratch.

Each executor makes every run of the study's chapters in a fresh runs folder (decoded data and
stand-ins shared, so only training is timed), one after the other on the same machine; the
medians of `--repeats` and their ratio are printed and written to `artifacts/bench/executors.json`.

    nox -s bench -- --executors [--study mnist-svhn] [--profile quick] [--workers 2] [--repeats 1]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

import torch

from ..common import atomic
from ..common.paths import ARTIFACTS_ENV, artifacts_dir
from ..data import registry as data_registry
from ..execution import run_maker
from ..studies.registry import DEFAULT_STUDY, get_study, load_study_params

SHARED = ("cache", "stand-ins", "splits")  # made once, read by both executors


def make_all_runs(study: str, profile: str, overrides: dict, shared_from: Path) -> tuple[float, int]:
    """Seconds to make every run of the study in a fresh artifacts folder, and how many runs."""
    with tempfile.TemporaryDirectory(prefix="bench-executors-") as folder:
        for name in SHARED:
            if (shared_from / name).is_dir():
                (Path(folder) / name).symlink_to(shared_from / name, target_is_directory=True)
        os.environ[ARTIFACTS_ENV] = folder
        try:
            params = load_study_params(study, profile, overrides)
            notebooks = frozenset(chapter.notebook for chapter in params.chapters)
            started = time.perf_counter()
            with run_maker(params) as maker:
                made = get_study(study).make_runs(params, notebooks, maker)
            return time.perf_counter() - started, len({run.run_id for run in made.runs})
        finally:
            os.environ[ARTIFACTS_ENV] = str(shared_from)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executors", action="store_true", help="(how `nox -s bench` picks this)")
    parser.add_argument("--study", default=DEFAULT_STUDY)
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--workers", type=int, default=2, help="processes executor's workers")
    parser.add_argument("--repeats", type=int, default=1, help="timings per executor (median)")
    arguments = parser.parse_args(argv)

    shared = artifacts_dir()
    os.environ[ARTIFACTS_ENV] = str(shared)
    params = load_study_params(arguments.study, arguments.profile)
    data_registry.prepare(params, log=lambda line: print(f"[data] {line}", flush=True))
    executors = {"local": {"execution.runs.executor": "local"},
                 "processes": {"execution.runs.executor": "processes",
                               "execution.runs.workers": arguments.workers}}
    timings, runs = {}, 0
    for repeat in range(arguments.repeats):
        for name, overrides in executors.items():
            seconds, runs = make_all_runs(arguments.study, arguments.profile, overrides, shared)
            timings.setdefault(name, []).append(seconds)
            print(f"[bench] {name}: {runs} runs in {seconds:.1f} s (repeat {repeat + 1})", flush=True)
    medians = {name: statistics.median(values) for name, values in timings.items()}
    ratio = medians["local"] / medians["processes"]
    print(f"[bench] {arguments.study} {arguments.profile}, {runs} runs: local {medians['local']:.1f} s, "
          f"processes ({arguments.workers} workers) {medians['processes']:.1f} s: "
          f"processes {ratio:.2f}x as fast", flush=True)
    atomic.write_json(shared / "bench" / "executors.json", {
        "study": arguments.study, "profile": arguments.profile, "runs": runs,
        "workers": arguments.workers, "seconds": timings, "median_seconds": medians,
        "speedup": ratio, "cpu_count": os.cpu_count(), "machine": platform.processor() or
        platform.machine(), "cuda": torch.cuda.get_device_name() if torch.cuda.is_available() else None})
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
