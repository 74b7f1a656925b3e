"""Where generated files live.

Shared by every study: decoded-data cache, split indices, stand-ins, content-addressed run folders
and model files under `artifacts/`. Per study and profile: `artifacts/<study>/<profile>/` (executed
notebooks, results, timings, the runs the build made). The book Quarto renders:
`artifacts/<study>/book/`. Rendered reports: `report/<study>/`.
"""

from __future__ import annotations

import os
from pathlib import Path

ARTIFACTS_ENV = "CNNREPORT_ARTIFACTS"
DATA_ROOT_ENV = "CNNREPORT_DATA_ROOT"  # overrides a study's data.root
ARTIFACTS_DIR = "artifacts"
REPORT_DIR = "report"


def project_root() -> Path:
    """The checkout: the folder holding `_quarto.yml` (builds and notebooks run from there)."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_quarto.yml").is_file():
            return folder
    return here


def artifacts_dir() -> Path:
    """Caches, splits, runs, models and results: the checkout's `artifacts/`, or CNNREPORT_ARTIFACTS.

    Executed notebooks and the book always stay in the checkout's `artifacts/`, where the Quarto
    profiles list them; the override moves only what the code reads back (tests use it).
    """
    override = os.environ.get(ARTIFACTS_ENV)
    return Path(override).resolve() if override else project_root() / ARTIFACTS_DIR


def relative_to_artifacts(path: Path) -> str:
    """How artifacts refer to each other: relative, so a moved or unzipped project still works."""
    return Path(path).resolve().relative_to(artifacts_dir()).as_posix()


def from_artifacts(relative: str) -> Path:
    return artifacts_dir() / relative


def study_root(study: str) -> Path:
    """Everything generated for one study (its profiles' folders, its last build's record)."""
    return artifacts_dir() / study


def study_dir(study: str, profile: str) -> Path:
    """Results, timings and the list of runs of one study built with one profile."""
    return study_root(study) / profile


def notebooks_dir(study: str, profile: str) -> Path:
    """Executed chapter notebooks of one study and profile (always inside the checkout)."""
    return project_root() / ARTIFACTS_DIR / study / profile / "notebooks"


def book_dir(study: str) -> Path:
    """The chapters Quarto renders for a study: the executed notebooks of its last rendered build."""
    return project_root() / ARTIFACTS_DIR / study / "book"


def report_dir(study: str | None = None) -> Path:
    root = project_root() / REPORT_DIR
    return root / study if study else root
