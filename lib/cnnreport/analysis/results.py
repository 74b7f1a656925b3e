"""Numbers one chapter hands to a later one (e.g. evaluation -> summary), as JSON files.

Data flows one way: a chapter records what it computed under
`artifacts/<study>/<profile>/results/`; later chapters and the index of all reports read those
records and recompute nothing.
"""

from __future__ import annotations

import json
from pathlib import Path

from ..common import atomic
from ..common.paths import study_dir


def results_path(params, name: str) -> Path:
    return study_dir(params.study_name, params.profile) / "results" / f"{name}.json"


def record(params, name: str, payload) -> None:
    atomic.write_json(results_path(params, name), payload)


def read(params, name: str):
    path = results_path(params, name)
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: the chapter that records {name!r} has not run "
                                f"with these params (nox -s build_report -- {params.study_name} "
                                f"--profile {params.profile})")
    return json.loads(path.read_text())


def finals_headline(params) -> dict[str, str]:
    """Test accuracy of each final model as a percentage, from the `finals` record that a study's
    summary chapter writes (`{"test_accuracy": {model: accuracy}}`), for the index of reports."""
    return {name: f"{100 * accuracy:.2f}%"
            for name, accuracy in read(params, "finals")["test_accuracy"].items()}
