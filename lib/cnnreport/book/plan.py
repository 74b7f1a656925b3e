"""Which chapters a build executes, checked before anything runs.

The profile's chapter list must match the study's generated Quarto profile; each instance's
notebook must exist in `chapters/<study>/`, and its parameters must be ones the notebook's
`parameters` cell declares (read with papermill's own parser).
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass, replace
from pathlib import Path

from ..config.typed_yaml import ConfigError, parse_override
from .quarto import check_profile

KERNEL_NAME = "cnnreport"
NOTEBOOK_PARAMETERS = ("params_file", "overrides")  # every chapter notebook has these


@dataclass(frozen=True)
class PlannedChapter:
    name: str
    source: Path
    parameters: dict
    after: tuple[str, ...] = ()  # planned chapters that must finish before this one starts


def chapters_dir(root: Path, study: str) -> Path:
    return root / "chapters" / study


def plan_chapters(params, root: Path, only: list[str] | None = None,
                  chapter_parameters: dict | None = None) -> list[PlannedChapter]:
    """Check the profile's chapters against the Quarto profile and the notebooks; pick `only` ones."""
    check_profile(root, params)
    folder = chapters_dir(root, params.study_name)
    plan = []
    for chapter in params.chapters:
        source = folder / f"{chapter.notebook}.ipynb"
        if not source.is_file():
            available = sorted(p.stem for p in folder.glob("*.ipynb"))
            raise ConfigError(f"chapters: {chapter.name}: notebook {chapter.notebook!r} not found in "
                              f"{folder}; choose one of: {', '.join(available)}")
        earlier = [item.name for item in plan]
        plan.append(PlannedChapter(chapter.name, source, dict(chapter.parameters),
                                   tuple(chapter.waits_for(earlier))))
    if only:
        unknown = [p for p in only if not any(_matches(item, p) for item in plan)]
        if unknown:
            raise ConfigError(f"unknown chapter {unknown[0]!r}; choose one of: "
                              f"{', '.join(item.name for item in plan)}")
        plan = [item for item in plan if any(_matches(item, pattern) for pattern in only)]
        selected = {item.name for item in plan}  # the others ran in an earlier build
        plan = [replace(item, after=tuple(n for n in item.after if n in selected)) for item in plan]
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
