"""The build: params -> executed chapter notebooks -> rendered report.

Everything that can be checked is checked before the first notebook runs: the profile, the
overrides, the chapter list against `_quarto.yml`, and each instance's parameters against the
notebook's `parameters` cell. Each instance is executed by papermill with this environment's kernel
(not the kernelspec saved in the notebook); a failure stops the build with the chapter, the failing
cell's source and the error, and leaves the previous report untouched.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import nbformat
import papermill

from . import atomic
from .config import ConfigError, Params, load_params, parse_override
from .paths import artifacts_dir, project_root
from .render import book_chapters, render_report
from .runs import used_runs_dir

KERNEL_NAME = "cnnreport"
NOTEBOOK_PARAMETERS = ("params_file", "overrides")  # every chapter notebook has these


class BuildError(RuntimeError):
    """A chapter failed or the build could not start; the message says which and why."""


@dataclass(frozen=True)
class PlannedChapter:
    name: str
    source: Path
    parameters: dict


def profile_path(profile: str, root: Path) -> Path:
    """`quick` -> params/quick.yaml; a path to a YAML file is taken as it is."""
    candidate = Path(profile)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate if candidate.is_absolute() else root / candidate
    path = root / "params" / f"{profile}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in (root / "params").glob("*.yaml"))
        raise ConfigError(f"unknown profile {profile!r}; choose one of: {', '.join(known)}")
    return path


def executed_path(name: str) -> Path:
    """Where _quarto.yml expects the executed notebook (always inside the checkout)."""
    return project_root() / "artifacts" / "notebooks" / f"{name}.ipynb"


def plan_chapters(params: Params, root: Path, only: list[str] | None = None,
                  chapter_parameters: dict | None = None) -> list[PlannedChapter]:
    """Check the profile's chapters against `_quarto.yml` and the notebooks; pick `only` ones."""
    listed = [Path(entry).stem for entry in book_chapters(root) if entry.endswith(".ipynb")]
    names = [chapter.name for chapter in params.chapters]
    if names != listed:
        raise ConfigError(
            f"chapters in the profile {names} differ from the notebooks listed in _quarto.yml "
            f"{listed}; both must list the same chapters in the same order")
    plan = []
    for chapter in params.chapters:
        source = root / "chapters" / f"{chapter.notebook}.ipynb"
        if not source.is_file():
            available = sorted(p.stem for p in (root / "chapters").glob("*.ipynb"))
            raise ConfigError(f"chapters: {chapter.name}: notebook {chapter.notebook!r} not found; "
                              f"choose one of: {', '.join(available)}")
        plan.append(PlannedChapter(chapter.name, source, dict(chapter.parameters)))
    if only:
        unknown = [p for p in only if not any(_matches(item, p) for item in plan)]
        if unknown:
            raise ConfigError(f"unknown chapter {unknown[0]!r}; choose one of: "
                              f"{', '.join(item.name for item in plan)}")
        plan = [item for item in plan if any(_matches(item, pattern) for pattern in only)]
    for item in plan:  # command-line chapter parameters apply to the selected chapters only
        item.parameters.update(chapter_parameters or {})
        _check_parameters(item.name, item.source, item.parameters)
    return plan


def _matches(item: PlannedChapter, pattern: str) -> bool:
    """`q2` selects every Q2 instance; `q2-svhn` selects one."""
    return item.name == pattern or item.name.split("-")[0] == pattern


@functools.lru_cache(maxsize=None)
def declared_parameters(source: Path) -> tuple[str, ...]:
    """Names assigned in the notebook's `parameters` cell, read with papermill's own parser.

    papermill's public `inspect_notebook` needs a kernelspec saved in the notebook; the build picks
    the kernel itself, so it names the language here instead.
    """
    from papermill.inspection import _infer_parameters
    from papermill.iorw import load_notebook_node

    notebook = load_notebook_node(str(source))
    return tuple(p.name for p in _infer_parameters(notebook, name=KERNEL_NAME, language="python"))


def _check_parameters(name: str, source: Path, parameters: dict) -> None:
    declared = declared_parameters(source)
    for key in parameters:
        if key not in declared or key in NOTEBOOK_PARAMETERS:
            allowed = [p for p in declared if p not in NOTEBOOK_PARAMETERS]
            close = difflib.get_close_matches(key, allowed, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise ConfigError(f"chapters: {name}: unknown parameter {key!r}{hint} "
                              f"Parameters of {source.name}: {', '.join(allowed) or 'none'}")


def split_overrides(texts: list[str], plan: list[PlannedChapter]) -> tuple[dict, dict]:
    """`-p key=value` pairs: notebook parameters (e.g. dataset) vs dotted config overrides."""
    notebook_keys = set()
    for item in plan:
        notebook_keys |= set(declared_parameters(item.source)) - set(NOTEBOOK_PARAMETERS)
    chapter_parameters, config_overrides = {}, {}
    for text in texts:
        key, value = parse_override(text)
        (chapter_parameters if key in notebook_keys else config_overrides)[key] = value
    return chapter_parameters, config_overrides


def timings_path() -> Path:
    return artifacts_dir() / "build" / "timings.json"


def _start_timings(profile: str, full_build: bool) -> dict:
    """Seconds per executed chapter, read by the summary chapter (kept across chapter reruns)."""
    path = timings_path()
    if not full_build and path.is_file():
        return json.loads(path.read_text())
    shutil.rmtree(used_runs_dir(), ignore_errors=True)  # a full build records its runs afresh
    return {"profile": profile, "started": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "chapters": {}}


def write_resolved_params(params: Params, overrides: dict) -> Path:
    """The exact settings the notebooks run with, saved beside the outputs they produce."""
    suffix = f"-{hashlib.sha256(repr(sorted(overrides.items())).encode()).hexdigest()[:8]}" \
        if overrides else ""
    return atomic.write_yaml(artifacts_dir() / "params" / f"{params.profile}{suffix}.yaml",
                             params.to_dict())


def ensure_kernel() -> str:
    """Register this interpreter as a kernel so notebooks run where the package is installed."""
    from ipykernel.kernelspec import install

    install(kernel_name=KERNEL_NAME, display_name="cnn-report", prefix=sys.prefix)
    return KERNEL_NAME


def execute_chapter(item: PlannedChapter, params_file: Path, kernel: str, timeout_s: int,
                    root: Path) -> Path:
    target = executed_path(item.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    failed = target.with_suffix(".failed.ipynb")
    failed.unlink(missing_ok=True)
    # the resolved params file already holds any overrides; `overrides` is for manual papermill use
    parameters = {"params_file": str(params_file), "overrides": {}, **item.parameters}
    with atomic.atomic_path(target) as temporary:
        try:
            papermill.execute_notebook(
                str(item.source), str(temporary), parameters=parameters, kernel_name=kernel,
                language="python", cwd=str(root), execution_timeout=timeout_s, progress_bar=False,
                stderr_file=sys.stderr, log_output=False)
        except papermill.PapermillExecutionError as error:
            temporary.replace(failed)
            raise BuildError(
                f"chapter {item.name} failed in cell {error.cell_index}:\n"
                f"--- cell source ---\n{error.source}\n--- error ---\n"
                f"{error.ename}: {error.evalue}\n(executed notebook: {failed})") from None
        _strip_progress_output(temporary)
    return target


def _strip_progress_output(path: Path) -> None:
    """Progress bars (stderr) are for the console, not for the report."""
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs
                            if not (o.get("output_type") == "stream" and o.get("name") == "stderr")]
    nbformat.write(notebook, path)


def build(profile: str, only: list[str] | None = None, override_texts: list[str] = ()) -> Path:
    """Execute the profile's chapters (all, or `only`) and render the report; return report/."""
    root = project_root()
    source_params = profile_path(profile, root)
    params = load_params(source_params)
    plan = plan_chapters(params, root)
    chapter_parameters, config_overrides = split_overrides(list(override_texts), plan)
    params = load_params(source_params, config_overrides)  # validates the overrides up front
    plan = plan_chapters(params, root, only, chapter_parameters)
    if only is not None:
        missing = [name for name in (c.name for c in params.chapters)
                   if name not in {item.name for item in plan} and not executed_path(name).is_file()]
        if missing:
            raise BuildError(f"chapters {', '.join(missing)} have not been executed yet, so the "
                             f"report cannot be rendered; run `nox -s build_report` first")
    resolved = write_resolved_params(params, config_overrides)
    kernel = ensure_kernel()
    started = time.perf_counter()
    timings = _start_timings(params.profile, full_build=only is None)
    for number, item in enumerate(plan, start=1):
        print(f"[{number}/{len(plan)}] {item.name}: executing {item.source.name} "
              f"{item.parameters or ''}".rstrip(), flush=True)
        chapter_started = time.perf_counter()
        execute_chapter(item, resolved, kernel, params.execution.cell_timeout_s, root)
        seconds = time.perf_counter() - chapter_started
        timings["chapters"][item.name] = round(seconds, 1)
        atomic.write_json(timings_path(), timings)
        print(f"[{number}/{len(plan)}] {item.name}: done in {seconds:.1f} s", flush=True)
    report = render_report(root, subtitle=f"Profile: {params.profile}")
    print(f"Report written to {report} in {time.perf_counter() - started:.1f} s", flush=True)
    return report
