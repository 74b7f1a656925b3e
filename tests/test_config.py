"""Params files: valid profiles load into typed objects; every kind of mistake is refused clearly."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml

from cnnreport.cli import main
from cnnreport.config.typed_yaml import ConfigError, parse_override
from cnnreport.studies.registry import load_study_params

from conftest import REPO

FULL = REPO / "params" / "mnist-svhn" / "full.yaml"


def load_params(path, overrides=None):
    return load_study_params("mnist-svhn", str(path), overrides, root=REPO)


def write_profile(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {FULL}\nprofile: bad\n{text}")
    return path


def test_full_profile_is_the_assignment():
    params = load_params(FULL)
    assert params.study_name == "mnist-svhn" and params.seed == 42
    assert (params.data.split.train, params.data.split.val, params.data.split.test) == (0.7, 0.1, 0.2)
    assert params.train.epochs == 50
    assert params.data.datasets == ("mnist", "svhn")
    assert params.chapters[0].name == "q1-data"


def test_quick_profile_extends_full_and_overrides_only_what_it_names():
    quick = load_params(REPO / "params" / "mnist-svhn" / "quick.yaml")
    full = load_params(FULL)
    assert quick.profile == "quick" and quick.data.max_images == 6000
    assert quick.seed == full.seed and quick.data.split == full.data.split
    assert [c.name for c in quick.chapters] == [c.name for c in full.chapters]


@pytest.mark.parametrize("text, expected", [
    ("data:\n  splitt: {train: 0.7, val: 0.1, test: 0.2}\n",
     "unknown key data.'splitt'; did you mean data.'split'?"),
    ("train:\n  epochs: ten\n", "train.epochs must be an integer, got 'ten'"),
    ("train:\n  epochs: 0\n", "train.epochs must be positive, got 0"),
    ("train:\n  epochs: -3\n", "train.epochs must be positive, got -3"),
    ("data:\n  split: {train: 0.7, val: 0.2, test: 0.2}\n",
     "data.split fractions must sum to 1, got train 0.7 + val 0.2 + test 0.2 = 1.1"),
    ("train:\n  optimizer: rmsprop\n",
     "train.optimizer = 'rmsprop' is not allowed; choose one of: sgd, adam, adamw"),
    ("model:\n  activation: tanh\n",
     "model.activation = 'tanh' is not allowed; choose one of: relu, leaky_relu, gelu, elu, silu"),
    ("data:\n  source: web\n", "data.source = 'web' is not allowed; choose one of: auto, real, stand-in"),
    ("data:\n  datasets: [mnist, svhn, emnist]\n",
     "data.datasets[2] = 'emnist' is not allowed; choose one of: mnist, fashion-mnist, svhn, cifar100"),
    ("chapters:\n  - {name: q2-x, notebook: q1_data, parameters: {dataset: cifar100}}\n",
     "chapters: q2-x: dataset 'cifar100' is not allowed; choose one of: mnist, svhn"),
    ("chapters:\n  - {name: a, notebook: q1_data}\n  - {name: b, notebook: q1_data, after: [c]}\n"
     "  - {name: c, notebook: q1_data}\n",
     "chapters: b: after 'c' is not a chapter before it; choose from: all, a"),
    ("model:\n  architecture: resnet\n",
     "model.architecture = 'resnet' is not allowed; choose one of: convnet"),
    ("study:\n  variants: [{train.optimiser: sgd}]\n", "unknown key train.'optimiser'; did you mean"),
])
def test_invalid_values_are_refused_with_key_value_and_choices(tmp_path, text, expected):
    with pytest.raises(ConfigError) as error:
        load_params(write_profile(tmp_path, text))
    assert expected in str(error.value)


def test_override_that_changes_a_type_is_refused():
    with pytest.raises(ConfigError, match="train.batch_size must be an integer, got 'big'"):
        load_params(FULL, {"train.batch_size": "big"})
    assert parse_override("train.epochs=3") == ("train.epochs", 3)
    with pytest.raises(ConfigError, match="key=value"):
        parse_override("train.epochs")


def _run_cli(args: list[str], cwd: Path) -> SimpleNamespace:
    """The command line's entry point in this process (the end-to-end build tests start it as a
    process): exit code and what it printed, from `cwd`."""
    output, errors, before = io.StringIO(), io.StringIO(), Path.cwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(output), contextlib.redirect_stderr(errors):
            code = main(args)
    finally:
        os.chdir(before)
    return SimpleNamespace(returncode=code, stdout=output.getvalue(), stderr=errors.getvalue())


def test_cli_stops_before_running_anything_on_bad_params(tmp_path):
    bad = write_profile(tmp_path, "train:\n  epochs: 0\n")
    result = _run_cli(["build", "mnist-svhn", "--profile", str(bad)], REPO)
    assert result.returncode == 2
    assert "train.epochs must be positive, got 0" in result.stderr
    assert "executing" not in result.stdout and "[data]" not in result.stdout


def test_cli_names_unknown_study_profile_chapter_and_parameter():
    result = _run_cli(["build", "mnist-cifar", "--profile", "quick"], REPO)
    assert result.returncode == 2
    assert ("unknown study 'mnist-cifar'; choose one of: autograd-animals, fashion-mnist, "
            "mnist-cifar100, mnist-merged, mnist-svhn") \
        in result.stderr
    result = _run_cli(["build", "mnist-svhn", "--profile", "nightly"], REPO)
    assert result.returncode == 2
    assert "unknown profile 'nightly' of study 'mnist-svhn'; choose one of: full, quick" \
        in result.stderr
    result = _run_cli(["chapter", "mnist-svhn", "q9", "--profile", "quick"], REPO)
    assert result.returncode == 2 and "unknown chapter 'q9'; choose one of: q1-data" in result.stderr
    result = _run_cli(["studies"], REPO)
    assert result.returncode == 0 and "mnist-merged       assignment 004" in result.stdout


def _profile_with_first_chapter(tmp_path: Path, **changes) -> Path:
    chapters = [dict(name=c.name, notebook=c.notebook, parameters=dict(c.parameters))
                for c in load_params(FULL).chapters]
    chapters[0].update(changes)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump({"extends": str(FULL), "profile": "bad", "chapters": chapters}))
    return path


def test_unknown_notebook_and_chapter_parameter_are_refused(tmp_path):
    bad = _profile_with_first_chapter(tmp_path, notebook="q1_dat")
    result = _run_cli(["build", "mnist-svhn", "--profile", str(bad)], REPO)
    assert result.returncode == 2 and "notebook 'q1_dat' not found in" in result.stderr
    assert "choose one of: q1_data" in result.stderr
    bad = _profile_with_first_chapter(tmp_path, parameters={"datset": "mnist"})
    result = _run_cli(["build", "mnist-svhn", "--profile", str(bad)], REPO)
    assert result.returncode == 2 and "q1-data: unknown parameter 'datset'" in result.stderr


def test_chapter_list_must_match_the_generated_quarto_profile(tmp_path):
    bad = write_profile(tmp_path, "chapters:\n  - {name: q1-data, notebook: q1_data}\n")
    result = _run_cli(["build", "mnist-svhn", "--profile", str(bad)], REPO)
    assert result.returncode == 2
    assert "chapter list mismatch: _quarto-mnist-svhn.yml is out of date" in result.stderr
    assert "['q1-data']" in result.stderr and "nox -s books" in result.stderr


def test_chapter_parameters_apply_to_the_selected_chapters_only():
    from cnnreport.book.plan import plan_chapters

    params = load_params(FULL)
    plan = plan_chapters(params, REPO, only=["q2-mnist"], chapter_parameters={"dataset": "svhn"})
    assert [(item.name, item.parameters) for item in plan] == [("q2-mnist", {"dataset": "svhn"})]
    assert params.chapters[1].parameters == {"dataset": "mnist"}, "the profile is not modified"
    with pytest.raises(ConfigError, match="q1-data: unknown parameter 'dataset'"):
        plan_chapters(params, REPO, only=["q1"], chapter_parameters={"dataset": "svhn"})


def test_chapters_wait_only_for_the_planned_chapters_they_read():
    from cnnreport.book.plan import plan_chapters

    params = load_params(FULL)
    plan = {item.name: item.after for item in plan_chapters(params, REPO)}
    assert plan["q6-summary"] == tuple(name for name in plan if name != "q6-summary")  # all
    assert plan["q5-comparison"] == () and plan["q1-data"] == ()
    # a rerun of the summary alone waits for nothing: the others ran in an earlier build
    assert [item.after for item in plan_chapters(params, REPO, only=["q6"])] == [()]
    rerun = plan_chapters(params, REPO, only=["q4", "q6"])
    assert [(item.name, item.after) for item in rerun] == [
        ("q4-embedding", ()), ("q6-summary", ("q4-embedding",))]
