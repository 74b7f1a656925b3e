"""The build: params -> data -> runs -> executed chapter notebooks -> rendered report.

Everything that can be checked is checked before the first run trains: the study, the profile, the
overrides, the chapter list against the study's Quarto profile, each instance's parameters, and the
data (the explicit data step fetches what it may and writes announced stand-ins). Then the study
makes every run its chapters read (progress per run and per epoch), with the executor the params
choose (execution.runs), and only then do chapters execute, several at once: they read runs, they
never train. A failure stops the build with what failed and why,
and leaves the previous report untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from ..common import atomic
from ..common.paths import artifacts_dir, book_dir, notebooks_dir, project_root, report_dir, study_dir
from ..data import registry as data_registry
from ..data.splits import load_splits
from ..execution import run_maker
from ..studies.registry import DEFAULT_STUDY, get_study, load_study_params, study_names
from ..training.runs import MadeRuns, made_runs, made_runs_path, record_final_models, record_made_runs
from . import reruns
from .execute import BuildError, ensure_kernel, execute_chapter
from .index_page import last_build_path, write_index
from .kernels import KernelWorkers
from .plan import plan_chapters, split_overrides
from .provenance import timings_path
from .render import render_report

__all__ = ["BuildError", "DEFAULT_STUDY", "build", "build_all"]

NUMBA_CACHE_ENV = "NUMBA_CACHE_DIR"


def build(study: str, profile: str = "full", only: list[str] | None = None,
          override_texts: list[str] = (), jobs: int | None = None) -> Path:
    """Execute the study's chapters (all, or `only`; `jobs` at once, default one per core) and
    render its report; return its folder."""
    root = project_root()
    entry = get_study(study)
    plan = plan_chapters(load_study_params(study, profile, root=root), root)
    chapter_parameters, config_overrides = split_overrides(list(override_texts), plan)
    params = load_study_params(study, profile, config_overrides, root)  # validates overrides
    plan = plan_chapters(params, root, only, chapter_parameters)
    differs = []
    if only is not None:
        _require_other_chapters(params, {item.name for item in plan})
        differs = _rerun_differences(params, plan, config_overrides, chapter_parameters, root)
    resolved = write_resolved_params(params, config_overrides)
    started = time.perf_counter()
    _sweep_unfinished_writes()
    prepare_data(params)
    with run_maker(params) as maker:
        made = entry.make_runs(params, frozenset(item.source.stem for item in plan), maker)
    _record_runs(params, made, full_build=only is None)
    timings = _start_timings(params, full_build=only is None)
    _execute(plan, params, resolved, timings, root, chapter_jobs(jobs, len(plan)))
    if only is None:
        reruns.record_full_build(params, config_overrides, chapter_parameters)
    else:
        reruns.record_rerun(params, [item.name for item in plan], differs)
    publish_book(params)
    report = render_report(root, study, subtitle=f"Profile: {params.profile}")
    _record_build(params, time.perf_counter() - started)
    write_index()
    print(f"Report written to {report} in {time.perf_counter() - started:.1f} s", flush=True)
    return report


def build_all(profile: str = "full", override_texts: list[str] = (), jobs: int | None = None) -> Path:
    """Build every registered study with `profile`; report/index.html links them all."""
    for study in study_names():
        print(f"=== study {study} ({profile}) ===", flush=True)
        build(study, profile, override_texts=override_texts, jobs=jobs)  # rewrites the index
    return report_dir() / "index.html"


def _require_other_chapters(params, selected: set[str]) -> None:
    missing = [c.name for c in params.chapters if c.name not in selected
               and not (notebooks_dir(params.study_name, params.profile) / f"{c.name}.ipynb").is_file()]
    if missing:
        raise BuildError(f"chapters {', '.join(missing)} have not been executed yet, so the report "
                         f"cannot be rendered; run `nox -s build_report -- {params.study_name} "
                         f"--profile {params.profile}` first")


def _rerun_differences(params, plan, overrides: dict, chapter_parameters: dict, root: Path) -> list:
    """How a chapter rerun's settings differ from the report's; a difference in data or splits is
    warned about before anything runs, with the command that rebuilds the report consistently."""
    report_params = load_study_params(params.study_name, params.profile,
                                      reruns.report_overrides(params), root)
    differs = reruns.rerun_differences(params, report_params, overrides, chapter_parameters)
    warning = reruns.data_warning(params, [item.name for item in plan], differs)
    if warning:
        print(warning, flush=True)
    return differs


def write_resolved_params(params, overrides: dict) -> Path:
    """The exact settings the notebooks run with, saved beside the outputs they produce."""
    suffix = f"-{hashlib.sha256(repr(sorted(overrides.items())).encode()).hexdigest()[:8]}" \
        if overrides else ""
    return atomic.write_yaml(study_dir(params.study_name, params.profile) / f"params{suffix}.yaml",
                             params.to_dict())


# ---------------------------------------------------------------------------------------------
# Data and runs, before any chapter


def _sweep_unfinished_writes() -> None:
    """Temporaries of a process killed mid-write are debris, never results: removed, and said."""
    swept = atomic.sweep_unfinished(artifacts_dir())
    if swept:
        print(f"[artifacts] removed {len(swept)} unfinished temporary file(s) left by a killed "
              f"process (the files they were replacing are intact)", flush=True)


def prepare_data(params) -> None:
    """The explicit data step: downloads and stand-ins as allowed, then every split loads."""
    print("[data] checking " + ", ".join(params.data.datasets), flush=True)
    data_registry.prepare(params, log=lambda line: print(f"[data] {line}", flush=True))
    for name in params.data.datasets:
        splits = load_splits(params, name)
        print(f"[data] {splits.display_name}: {len(splits.train):,} / {len(splits.val):,} / "
              f"{len(splits.test):,} train / validation / test images of shape "
              f"{splits.train.shape}", flush=True)


def _record_runs(params, made: MadeRuns, full_build: bool) -> None:
    """A full build records its runs and final models afresh; a chapter rerun adds its runs."""
    study, profile = params.study_name, params.profile
    runs = list(made.runs)
    if not full_build and made_runs_path(study, profile).is_file():
        runs += made_runs(study, profile)
    record_made_runs(study, profile, runs)
    if made.finals and full_build:
        record_final_models(study, profile, made.finals)


# ---------------------------------------------------------------------------------------------
# Chapters, book, records


def _start_timings(params, full_build: bool) -> dict:
    """Seconds per executed chapter, read by the summary chapters (kept across chapter reruns)."""
    path = timings_path(params.study_name, params.profile)
    if not full_build and path.is_file():
        return json.loads(path.read_text())
    return {"profile": params.profile,
            "started": datetime.now(timezone.utc).isoformat(timespec="seconds"), "chapters": {}}


def chapter_jobs(requested: int | None, chapters: int) -> int:
    """Chapters executed at once: as asked, else one per core; never more than there are."""
    if requested is not None and requested < 1:
        raise BuildError(f"--jobs {requested}: give at least 1 (chapters executed at once)")
    return max(1, min(requested or os.cpu_count() or 1, chapters))


def _execute(plan, params, resolved: Path, timings: dict, root: Path, jobs: int) -> None:
    """Execute the planned chapters, `jobs` at once, each worker in its own warm kernel (runs are
    made already and chapters only read them; a chapter that reads what others record waits for
    them: `after`). Progress and timings follow book order; the first chapter that fails, in book
    order, stops the build (chapters not yet started are cancelled)."""
    kernel_name = ensure_kernel()
    # numba's compiled UMAP code kept between chapter kernels and builds (works for read-only installs)
    os.environ.setdefault(NUMBA_CACHE_ENV, str(artifacts_dir() / "numba-cache"))
    folder = notebooks_dir(params.study_name, params.profile)
    total = len(plan)

    printing = threading.Lock()  # one chapter's line is never cut by another's

    def run(numbered, kernel) -> float:
        number, item = numbered
        with printing:
            print(f"[{number}/{total}] {item.name}: executing {item.source.name} "
                  f"{item.parameters or ''}".rstrip(), flush=True)
        started = time.perf_counter()
        execute_chapter(item, folder / f"{item.name}.ipynb", resolved, kernel,
                        params.execution.cell_timeout_s, root)
        return time.perf_counter() - started

    with KernelWorkers(jobs, kernel_name, root) as workers:
        position = {item.name: index for index, item in enumerate(plan)}
        futures = workers.run_all(run, list(enumerate(plan, start=1)),
                                  after=[[position[name] for name in item.after] for item in plan])
        for number, (item, future) in enumerate(zip(plan, futures), start=1):
            seconds = future.result()  # the first failure in book order leaves the block
            timings["chapters"][item.name] = round(seconds, 1)
            atomic.write_json(timings_path(params.study_name, params.profile), timings)
            with printing:
                print(f"[{number}/{total}] {item.name}: done in {seconds:.1f} s", flush=True)


def publish_book(params) -> Path:
    """Copy the profile's executed chapters to the study's book folder, which Quarto renders."""
    source = notebooks_dir(params.study_name, params.profile)
    target = book_dir(params.study_name)
    target.mkdir(parents=True, exist_ok=True)
    names = {f"{chapter.name}.ipynb" for chapter in params.chapters}
    for stale in target.glob("*.ipynb"):
        if stale.name not in names:
            stale.unlink()
    record = reruns.load_record(params)

    def marked_copy(path: Path, name: str) -> None:
        shutil.copyfile(source / name, path)
        reruns.mark_notebook(path, params, Path(name).stem, record)

    for name in sorted(names):
        atomic.write_with(target / name, lambda path, name=name: marked_copy(path, name))
    return target


def _record_build(params, seconds: float) -> None:
    """What the index of all reports shows for this study: profile, date, headline numbers."""
    try:
        headline = get_study(params.study_name).headline(params)
    except FileNotFoundError:  # a chapter rerun before the chapter recording the numbers ran
        headline = {}
    atomic.write_json(last_build_path(params.study_name), {
        "study": params.study_name, "profile": params.profile, "seconds": round(seconds, 1),
        "finished": datetime.now(timezone.utc).isoformat(timespec="seconds"), "headline": headline})
