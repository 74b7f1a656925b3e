"""The study registry: one entry per assignment the tool answers.

A study is an assignment's chapters (`chapters/<study>/`), its params (`params/<study>/<profile>.yaml`
validated into its own schema) and its book (`_quarto-<study>.yml`, generated from the params).
It tells the build which runs its chapters need (`make_runs`, before any chapter executes) and which
headline numbers the index of all reports shows. Study packages under `cnnreport.studies`
register themselves when imported, which `get_study` does on first use.
"""

from __future__ import annotations

import importlib
import pkgutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from ..common.paths import project_root
from ..config.typed_yaml import ConfigError, from_mapping, read_with_overrides
from ..data.registry import unknown_datasets

DEFAULT_STUDY = "mnist-svhn"


@dataclass(frozen=True)
class Study:
    name: str  # e.g. "mnist-merged": folder name under chapters/ and params/
    assignment: str  # number of the assignment file in shared/assignments, e.g. "004"
    summary: str  # one line for listings
    schema: type  # the params dataclass (a subclass of config.sections.StudyParams)
    # (params, notebooks selected, obtain) -> every run those chapters read; the build passes an
    # `obtain` that makes (trains) a run when it is missing
    make_runs: Callable[[Any, frozenset[str], Callable], Any]
    headline: Callable[[Any], dict[str, str]]  # numbers for report/index.html, from results


_STUDIES: dict[str, Study] = {}


def register_study(study: Study) -> Study:
    _STUDIES[study.name] = study
    return study


def _package(name: str) -> str:
    """A study named `mnist-svhn` lives in the package `cnnreport.studies.mnist_svhn`."""
    return f"{__package__}.{name.replace('-', '_')}"


def study_names() -> tuple[str, ...]:
    """Every study, from the package folders alone: listing them imports none (a study's import
    pulls in its analyses, seconds that a chapter kernel needing one study should not pay)."""
    from .. import studies

    return tuple(sorted(module.name.replace("_", "-")
                        for module in pkgutil.iter_modules(studies.__path__) if module.ispkg))


def get_study(name: str) -> Study:
    known = study_names()
    if name not in known:
        raise ConfigError(f"unknown study {name!r}; choose one of: {', '.join(known)}")
    if name not in _STUDIES:
        importlib.import_module(_package(name))  # registers itself
    if name not in _STUDIES:
        raise ConfigError(f"package {_package(name)} does not register a study named {name!r}")
    return _STUDIES[name]


def profile_path(study: str, profile: str, root: Path | None = None) -> Path:
    """`quick` -> params/<study>/quick.yaml; a path to a YAML file is taken as it is."""
    root = root or project_root()
    candidate = Path(profile)
    if candidate.suffix in (".yaml", ".yml"):
        return candidate if candidate.is_absolute() else root / candidate
    folder = root / "params" / study
    path = folder / f"{profile}.yaml"
    if not path.is_file():
        known = sorted(p.stem for p in folder.glob("*.yaml"))
        raise ConfigError(f"unknown profile {profile!r} of study {study!r}; choose one of: "
                          f"{', '.join(known) or 'none (params/' + study + '/ has no profiles)'}")
    return path


def load_study_params(study: str, profile: str, overrides: dict | None = None,
                      root: Path | None = None):
    """A study's params from a profile name or file, with dotted overrides, validated."""
    entry = get_study(study)
    path = profile_path(study, profile, root)
    raw = read_with_overrides(path, overrides)
    stated = raw.get("study_name", study)
    if stated != study:
        raise ConfigError(f"{path}: states study_name {stated!r}, but it was loaded for study "
                          f"{study!r}")
    raw["study_name"] = study
    return _with_known_datasets(from_mapping(entry.schema, raw, source=str(path)), path)


def load_resolved_params(path: str | Path, overrides: dict | None = None):
    """Params from a resolved file written by the build (it names its study)."""
    raw = read_with_overrides(path, overrides)
    if "study_name" not in raw:
        raise ConfigError(f"{path}: no 'study_name' key; resolved params name their study")
    return _with_known_datasets(from_mapping(get_study(raw["study_name"]).schema, raw,
                                             source=str(path)), path)


def _with_known_datasets(params, source):
    """Params whose `data.datasets` are all in the dataset registry (else a ConfigError)."""
    for problem in unknown_datasets(params.data.datasets):
        raise ConfigError(f"{source}: {problem}")
    return params
