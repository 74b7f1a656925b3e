"""Starting the campaign's victim processes and reading what they leave behind."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import time
from pathlib import Path
from typing import Iterator

import nbformat

from ..common.paths import ARTIFACTS_ENV
from .kit import Bench, Victim, link_shared_cache
from .probe import PROBE

RENDER_FILES = ("_quarto.yml", f"_quarto-{PROBE['study']}.yml", "index.qmd")


@contextlib.contextmanager
def artifacts_at(folder: Path, bench: Bench) -> Iterator[Path]:
    """Victims started inside this block use `folder` as their artifacts (sharing the cache)."""
    link_shared_cache(folder, bench.shared)
    saved = os.environ[ARTIFACTS_ENV]
    os.environ[ARTIFACTS_ENV] = str(folder)
    try:
        yield folder
    finally:
        os.environ[ARTIFACTS_ENV] = saved


def trained(victim: Victim) -> tuple[int, list[dict]] | None:
    """(epochs the victim trained, the run's metrics) from its TRAINED line; None without one."""
    line = victim.line("TRAINED")
    if line is None:
        return None
    _, epochs, metrics = line.split(" ", 2)
    return int(epochs), json.loads(metrics)


def reference(bench: Bench) -> list[dict]:
    """The probe run's metrics, trained once per campaign without faults (kept in `bench.memo`)."""
    if "reference" not in bench.memo:
        bench.memo["reference"] = reference_metrics(bench)
    return bench.memo["reference"]


def reference_metrics(bench: Bench) -> list[dict]:
    """The probe run trained whole, without faults, in its own process and artifacts."""
    with artifacts_at(bench.shared / "reference", bench):
        victim = Victim.start(["train"])
        victim.wait_for("EPOCH 1")
        started = time.perf_counter()
        victim.wait_for("EPOCH 2")
        bench.memo["epoch_seconds"] = time.perf_counter() - started  # one epoch, validation included
        code = victim.finish()
    result = trained(victim)
    if code != 0 or result is None:
        raise RuntimeError(f"the fault-free probe run failed (exit {code}):\n{victim.output[-2000:]}")
    return result[1]


def run_folder(artifacts: Path) -> Path | None:
    """The probe run's folder under `artifacts` (there is one run per case)."""
    folders = [path for path in (artifacts / "runs").glob("*") if path.is_dir()]
    return folders[0] if folders else None


def temporaries(folder: Path) -> list[Path]:
    return [path for path in folder.rglob(".*.tmp*") if path.is_file()]


def resume(bench: Bench) -> tuple[bool, str]:
    """Make the probe run again in the case's artifacts; whether it ends with the reference's
    metrics, and how many epochs it trained."""
    victim = Victim.start(["train"])
    code = victim.finish()
    result = trained(victim)
    if code != 0 or result is None:
        return False, f"the rerun failed (exit {code}): {victim.output[-500:]}"
    epochs, metrics = result
    if metrics != reference(bench):
        return False, f"the rerun trained {epochs} epoch(s) but its metrics differ from a run never killed"
    return True, f"the rerun trained the {epochs} missing epoch(s); metrics identical to a run never killed"


# ---------------------------------------------------------------------------------------------
# A small project to render


def render_project(bench: Bench, repo: Path) -> Path:
    """A project folder with the probe study's Quarto files, one short notebook per chapter and
    its rendered report (the report a fault must not damage): rendered once per campaign, copied
    into each case's folder."""
    rendered = bench.shared / "project"
    if not (rendered / "report").is_dir():
        _write_project(rendered, repo)
        victim = Victim.start(["render"], cwd=rendered)
        if victim.finish() != 0:
            raise RuntimeError(f"the fault-free render failed:\n{victim.output[-2000:]}")
    project = bench.folder / "project"
    shutil.copytree(rendered, project, symlinks=True)
    return project


def _write_project(project: Path, repo: Path) -> None:
    project.mkdir(parents=True, exist_ok=True)
    for name in RENDER_FILES:
        shutil.copy2(repo / name, project / name)
    book = project / "artifacts" / PROBE["study"] / "book"
    book.mkdir(parents=True, exist_ok=True)
    for number, line in enumerate((repo / RENDER_FILES[1]).read_text().splitlines(), start=1):
        if line.strip().startswith("- artifacts/") and line.strip().endswith(".ipynb"):
            name = Path(line.strip()[2:]).stem
            notebook = nbformat.v4.new_notebook(cells=[
                nbformat.v4.new_markdown_cell(f"# {number} {name}"),
                nbformat.v4.new_markdown_cell(f"The {name} chapter of a report rendered before "
                                              f"the fault.")])
            nbformat.write(notebook, book / f"{name}.ipynb")
