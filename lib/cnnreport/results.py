"""Numbers one chapter hands to a later one (Q3, Q4, Q5 -> the Q6 summary), as JSON files.

Data flows one way: a chapter records what it computed under `artifacts/results/`; the summary
reads those records and recomputes nothing.
"""

from __future__ import annotations

import json

from . import atomic
from .paths import artifacts_dir


def record(name: str, payload) -> None:
    atomic.write_json(artifacts_dir() / "results" / f"{name}.json", payload)


def read(name: str):
    path = artifacts_dir() / "results" / f"{name}.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the chapter that records {name!r} has not run "
                                f"with these params (run `nox -s build_report`)")
    return json.loads(path.read_text())
