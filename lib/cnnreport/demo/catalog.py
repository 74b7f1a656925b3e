"""Which studies have final models to show, found from what their builds recorded.

A build writes `artifacts/<study>/<profile>/final.json` (key -> model file) and
`artifacts/<study>/last-build.json` (which profile it used). The demo reads only these and the model
files: no params are re-derived and nothing is trained. A study without final models is listed with
the command that builds it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from ..book.index_page import last_build_path
from ..common.paths import study_root
from ..config.typed_yaml import ConfigError
from ..studies.registry import study_names
from ..training.runs import final_models, final_models_path

DEFAULT_PROFILE = "full"


@dataclass(frozen=True)
class StudyModels:
    study: str
    profile: str
    models: dict[str, Path] = field(default_factory=dict)  # key (dataset, experiment) -> model file

    @property
    def built(self) -> bool:
        return bool(self.models)

    def not_built_message(self) -> str:
        return (f"Study **{self.study}** has not been built with profile `{self.profile}`: no final "
                f"models are recorded in `{final_models_path(self.study, self.profile)}`. Build it "
                f"with `nox -s build_report -- {self.study}` (or `nox -s build_report -- "
                f"{self.study} --profile quick` for a preview in minutes), then restart the demo.")


def last_profile(study: str) -> str:
    """The profile of the study's last build; without a record, the full profile if it has final
    models, else the first profile that has them, else the full profile."""
    path = last_build_path(study)
    if path.is_file():
        return json.loads(path.read_text()).get("profile", DEFAULT_PROFILE)
    with_models = sorted(found.parent.name for found in study_root(study).glob("*/final.json"))
    if DEFAULT_PROFILE in with_models or not with_models:
        return DEFAULT_PROFILE
    return with_models[0]


def study_models(study: str, profile: str | None = None) -> StudyModels:
    known = study_names()  # names only: importing every study would slow the demo's start
    if study not in known:
        raise ConfigError(f"unknown study {study!r}; choose one of: {', '.join(known)}")
    profile = profile or last_profile(study)
    return StudyModels(study, profile, final_models(study, profile))


def catalog(studies: list[str] | None = None, profile: str | None = None) -> dict[str, StudyModels]:
    """Every requested study (default: all registered), built or not, in registry order."""
    return {study: study_models(study, profile) for study in (studies or study_names())}
