"""Where a report came from: package versions, device, seed, git commit, runs and build times."""

from __future__ import annotations

import json
import platform
import subprocess
from importlib import metadata
from pathlib import Path

import pandas as pd
import torch

from ..common.paths import project_root, study_dir
from ..training.runs import made_runs
from .reruns import RERUNS_METADATA, appendix_markdown

PACKAGES = ("torch", "torchvision", "numpy", "scikit-learn", "umap-learn", "papermill",
            "matplotlib", "seaborn", "pandas", "pypandoc-binary", "typst")


def show_reruns(params) -> None:
    """The appendix's list of chapters executed with other parameters than the report's; the build
    refreshes it whenever it publishes the book, so a later chapter rerun appears here too."""
    from IPython.display import Markdown, display

    display(Markdown(appendix_markdown(params)), metadata=RERUNS_METADATA)


def timings_path(study: str, profile: str) -> Path:
    """Seconds per executed chapter of a study's build (written by the build)."""
    return study_dir(study, profile) / "timings.json"


def package_versions() -> pd.DataFrame:
    rows = []
    for name in PACKAGES:
        try:
            version = metadata.version(name)
        except metadata.PackageNotFoundError:
            version = "not installed"
        rows.append({"package": name, "version": version})
    rows.append({"package": "python", "version": platform.python_version()})
    return pd.DataFrame(rows)


def device_description() -> str:
    if torch.cuda.is_available():
        return f"{torch.cuda.get_device_name()} (CUDA {torch.version.cuda})"
    return f"CPU: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"


def git_commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=project_root(),
                                capture_output=True, text=True, timeout=10)
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=project_root(), capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return "unknown (git not available)"
    if result.returncode != 0:
        return "unknown (not a git checkout)"
    return result.stdout.strip() + (" with uncommitted changes" if dirty.stdout.strip() else "")


def used_runs_table(params) -> pd.DataFrame:
    """Every finished run the last build of this study and profile made or reused (with a seed
    column where runs differ in seed)."""
    rows = []
    runs = made_runs(params.study_name, params.profile)
    for run in runs:
        spec = run.spec
        rows.append({"run": spec.name, "run id": run.run_id, "dataset": spec.dataset, "epochs": len(run.history),
                     "optimizer": spec.train.optimizer, "learning rate": spec.train.learning_rate,
                     "batch size": spec.train.batch_size,
                     "activation": getattr(spec.model, "activation", ""),
                     "training images": spec.train_indices_key, "seed": spec.seed,
                     "best epoch": run.best_epoch, "val accuracy": run.best["val"]["accuracy"],
                     "train seconds": run.training_seconds()})
    table = pd.DataFrame(rows)
    if len({run.spec.seed for run in runs}) <= 1:
        table = table.drop(columns="seed", errors="ignore")
    return table


def build_facts(params, executed_label: str) -> list[str]:
    """Profile, seed and split; device; commit; when the build started and what each chapter took."""
    path = timings_path(params.study_name, params.profile)
    timings = json.loads(path.read_text()) if path.is_file() else {"chapters": {}}
    seconds = timings["chapters"]
    return [
        f"Profile `{params.profile}`, seed {params.seed} (Python `random`, NumPy, PyTorch; "
        f"deterministic algorithms on), split {params.data.split.description()}.",
        f"Device: {device_description()}.",
        f"Git commit: `{git_commit()}`.",
        f"Build started {timings.get('started', 'unknown')}; {executed_label} executed in "
        f"{sum(seconds.values()):.0f} s (" + ", ".join(
            f"{c.name} {seconds[c.name]:.0f} s" for c in params.chapters if c.name in seconds)
        + "); rendering follows this chapter."]
