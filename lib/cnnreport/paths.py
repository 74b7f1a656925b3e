"""Where generated files live. Everything generated sits under one artifacts folder."""

from __future__ import annotations

import os
from pathlib import Path

ARTIFACTS_ENV = "CNNREPORT_ARTIFACTS"


def project_root() -> Path:
    """The checkout: the folder holding `_quarto.yml` (builds and notebooks run from there)."""
    here = Path.cwd().resolve()
    for folder in (here, *here.parents):
        if (folder / "_quarto.yml").is_file():
            return folder
    return here


def artifacts_dir() -> Path:
    """Caches, splits, runs and models: `artifacts/` of the checkout, or CNNREPORT_ARTIFACTS.

    Executed notebooks always go to the checkout's `artifacts/notebooks/`, where `_quarto.yml`
    lists them; the override moves only what the code reads back (tests use a temporary folder).
    """
    override = os.environ.get(ARTIFACTS_ENV)
    return Path(override).resolve() if override else project_root() / "artifacts"
