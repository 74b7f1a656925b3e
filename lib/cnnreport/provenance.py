"""Where a report came from: package versions, device, seed, git commit, runs and build times."""

from __future__ import annotations

import platform
import subprocess
from importlib import metadata

import pandas as pd
import torch

from .paths import project_root
from .runs import load_run, runs_dir, used_runs_dir

PACKAGES = ("torch", "torchvision", "numpy", "scikit-learn", "umap-learn", "papermill",
            "matplotlib", "seaborn", "pandas", "pypandoc-binary", "typst")


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


def used_runs_table() -> pd.DataFrame:
    """Every finished run this build used, with the settings that identify it."""
    rows = []
    for marker in sorted(used_runs_dir().glob("*")) if used_runs_dir().is_dir() else []:
        folder = runs_dir() / marker.name
        if not (folder / "result.json").is_file():
            continue
        run = load_run(folder)
        spec = run.spec
        rows.append({"run id": run.run_id, "dataset": spec.dataset, "epochs": len(run.history),
                     "optimizer": spec.train.optimizer, "learning rate": spec.train.learning_rate,
                     "batch size": spec.train.batch_size, "activation": spec.model.activation,
                     "training images": spec.train_indices_key,
                     "best epoch": run.best_epoch,
                     "val accuracy": run.best["val"]["accuracy"],
                     "train seconds": run.training_seconds()})
    return pd.DataFrame(rows)
