"""Runs are made once by the build and found by chapters; their identity covers the code that
trains them; the paths they store are relative, so a moved project still finds its models."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cnnreport.common.paths import artifacts_dir
from cnnreport.data.registry import prepare
from cnnreport.studies import mnist_merged
from cnnreport.studies.registry import get_study, load_study_params
from cnnreport.training.runs import (RunNotMadeError, find_run, final_models, make_run,
                                     record_final_models)

from conftest import REPO

TINY = {"data.max_images": 700, "train.epochs": 1, "seeds": [42, 43]}


@pytest.fixture(scope="module")
def tiny_params(data_root):
    os.environ["CNNREPORT_DATA_ROOT"] = str(data_root)
    params = load_study_params("mnist-merged", "quick", TINY, root=REPO)
    prepare(params, log=lambda line: None)
    return params


def test_a_chapter_asking_for_a_run_not_made_gets_its_name(tiny_params, tmp_path, monkeypatch):
    monkeypatch.setenv("CNNREPORT_ARTIFACTS", str(tmp_path))  # nothing made here
    with pytest.raises(RunNotMadeError) as error:
        mnist_merged.experiments.experiment_runs(tiny_params, "original")
    message = str(error.value)
    assert message.startswith("run mnist-merged-original-seed42 (mnist-")
    assert "has not been made: chapters only read runs" in message
    assert not (tmp_path / "runs").exists(), "finding writes nothing"


def test_make_then_find_and_a_second_build_trains_nothing(tiny_params):
    study = get_study("mnist-merged")
    trained = []

    def obtain(spec, data):
        run = make_run(spec, data)
        trained.append(run.trained_epochs)
        return run

    made = study.make_runs(tiny_params, frozenset({"results"}), obtain)
    assert len(made.runs) == 4 and set(made.finals) == {"original", "merged"}
    assert trained == [1, 1, 1, 1]
    trained.clear()
    again = study.make_runs(tiny_params, frozenset({"results"}), obtain)
    assert trained == [0, 0, 0, 0], "a second build trains nothing"
    assert [run.run_id for run in again.runs] == [run.run_id for run in made.runs]
    found = mnist_merged.experiments.experiment_runs(tiny_params, "merged")
    assert found.shown.run_id == made.finals["merged"].run_id
    assert found.shown.spec.train.batch_size == 32 and found.splits.classes[0] == "Class 1 {0, 6}"
    assert study.make_runs(tiny_params, frozenset({"data", "network"}), obtain).runs == [], \
        "chapters that read no runs need none"


def test_stored_paths_are_relative_so_a_moved_project_finds_its_models(tiny_params, tmp_path,
                                                                      monkeypatch):
    runs = mnist_merged.experiments.experiment_runs(tiny_params, "original")
    result = json.loads((runs.shown.folder / "result.json").read_text())
    assert result["model_file"] == f"models/{runs.shown.model_file.name}"
    record_final_models("mnist-merged", "quick", {"original": runs.shown})
    final = json.loads((artifacts_dir() / "mnist-merged" / "quick" / "final.json").read_text())
    assert final == {"original": f"models/{runs.shown.model_file.name}"}
    moved = tmp_path / "moved-artifacts"
    shutil.copytree(artifacts_dir(), moved, ignore=shutil.ignore_patterns("cache"))
    monkeypatch.setenv("CNNREPORT_ARTIFACTS", str(moved))
    again = find_run(runs.shown.spec)
    assert again.model_file == moved / "models" / runs.shown.model_file.name
    assert again.model_file.is_file()
    assert final_models("mnist-merged", "quick")["original"] == again.model_file


RUN_ID_SCRIPT = """
from cnnreport.config.sections import TrainConfig
from cnnreport.models.convnet import ConvNetConfig
from cnnreport.models.layers import ConvLayerConfig, LayersConfig
from cnnreport.models.scratch_mlp import ScratchMLPConfig
from cnnreport.training.runs import RunSpec
split = {"fingerprint": "f"}
layers = LayersConfig(layers=(ConvLayerConfig(kernel=3, channels=4),))
print(RunSpec("a", "mnist", ConvNetConfig(), TrainConfig(), 42, split).run_id,
      RunSpec("b", "mnist", layers, TrainConfig(), 42, split).run_id,
      RunSpec("c", "mnist", ScratchMLPConfig(), TrainConfig(), 42, split).run_id)
"""


def _run_ids(library: Path) -> tuple[str, str, str]:
    """Run ids of a convnet, a layers and a scratch-MLP run, computed by the library copy."""
    result = subprocess.run([sys.executable, "-c", RUN_ID_SCRIPT], capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(library)}, timeout=120)
    assert result.returncode == 0, result.stderr
    convnet, layers, scratch = result.stdout.split()
    return convnet, layers, scratch


@pytest.mark.slow
@pytest.mark.heavy  # five interpreters importing torch: about 90 s
def test_editing_model_code_changes_exactly_the_affected_run_ids(tmp_path):
    library = tmp_path / "lib"
    shutil.copytree(REPO / "lib", library, ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    package = library / "cnnreport"
    original = _run_ids(library)

    def edit(relative: str, text: str) -> tuple[str, str, str]:
        path = package / relative
        before = path.read_text()
        path.write_text(before + text)
        try:
            return _run_ids(library)
        finally:
            path.write_text(before)

    convnet, layers, scratch = edit("models/convnet.py", "\n\ndef changed():\n    return 1\n")
    assert convnet != original[0] and (layers, scratch) == original[1:], "only convnet runs retrain"
    assert edit("models/convnet.py", "\n# a comment only\n") == original, "comments do not count"
    assert edit("book/figures.py", "\n\ndef another_plot():\n    return 2\n") == original
    assert edit("config/sections.py", "\n\nSOMETHING = 3\n") == original, "config is hashed as values"
    changed = edit("training/engine.py", "\n\nSOMETHING = 3\n")
    assert all(new != old for new, old in zip(changed, original)), "the engine trains every run"
    changed = edit("models/blocks.py", "\n\nSOMETHING = 3\n")
    assert changed[0] != original[0] and changed[1] != original[1] and changed[2] == original[2], \
        "shared torch layers"
    changed = edit("training/losses.py", "\n\nSOMETHING = 3\n")
    assert changed[0] != original[0] and changed[1] != original[1], "the loss, imported by the engine"
    changed = edit("scratch/mlp.py", "\n\nSOMETHING = 3\n")
    assert changed[:2] == original[:2] and changed[2] != original[2], "the NumPy MLP's own code"
