"""The mnist-cifar100 study (assignment 002): official test parts, named variants, its params, and
its quick build end to end (t-SNE, the loss without torch.nn, figure stamps, galleries)."""

from __future__ import annotations

import base64
import json
import re

import nbformat
import numpy as np
import pytest

from cnnreport.config.sections import SplitFractions
from cnnreport.config.typed_yaml import ConfigError
from cnnreport.data.splits import load_splits, make_split
from cnnreport.studies.registry import load_study_params
from cnnreport.studies.variants import variant_name
from conftest import REPO
from test_build import copy_project, run_build

OFFICIAL = SplitFractions(train=0.9, val=0.1, test=0.0, test_part="official")


def test_official_test_part_is_the_test_split_and_validation_comes_from_official_train():
    labels = np.tile(np.arange(10), 100)  # 1,000 images: the first 800 are the official train part
    train, val, test = make_split(labels, OFFICIAL, seed=42, official_train=800)
    assert test.tolist() == list(range(800, 1000))
    assert len(val) == 80 and len(train) == 720
    assert set(train) | set(val) == set(range(800)) and not set(train) & set(val)
    assert np.bincount(labels[val]).tolist() == [8] * 10, "stratified"
    again = make_split(labels, OFFICIAL, seed=42, official_train=800)
    assert all((a == b).all() for a, b in zip((train, val, test), again))


def test_official_test_part_needs_a_dataset_that_has_one():
    with pytest.raises(ValueError, match="no official test part; choose test_part: pooled"):
        make_split(np.tile(np.arange(3), 10), OFFICIAL, seed=42, official_train=None)


def test_real_mnist_official_split_sizes(data_root, monkeypatch):
    monkeypatch.setenv("CNNREPORT_DATA_ROOT", str(data_root))
    params = load_study_params("mnist-cifar100", "full", root=REPO)
    splits = load_splits(params, "mnist")
    assert (len(splits.train), len(splits.val), len(splits.test)) == (54000, 6000, 10000)
    assert splits.definition(params)["test_part"] == "official"
    assert "stand_in_images" not in splits.definition(params), "real data: a stand-in's size is moot"


@pytest.mark.parametrize("split, message", [
    ({"train": 0.9, "val": 0.1, "test": 0.1, "test_part": "official"},
     "data.split.test must be 0 with test_part official"),
    ({"train": 0.8, "val": 0.1, "test": 0, "test_part": "official"},
     "data.split fractions of the official train part must sum to 1 with test_part official, got "
     "train 0.8 + val 0.1 = 0.9"),
    ({"train": 0.9, "val": 0.1, "test": 0, "test_part": "both"},
     "data.split.test_part"),
])
def test_split_errors_name_the_key(split, message):
    with pytest.raises(ConfigError) as raised:
        load_study_params("mnist-cifar100", "full", {"data.split": split}, root=REPO)
    assert message in str(raised.value)


def test_a_variant_override_outside_its_sections_is_refused_with_the_choices():
    variants = [{}, {"p2_cnn.hidden": [64]}]
    with pytest.raises(ConfigError) as raised:
        load_study_params("mnist-cifar100", "full", {"p1_cnn_study.variants": variants}, root=REPO)
    assert ("p1_cnn_study.variants[1]: override 'p2_cnn.hidden' must start with 'p1_cnn.' or "
            "'p1_cnn_train.'") in str(raised.value)


def test_variants_may_name_themselves():
    assert variant_name({"name": "two convolutions", "p1_cnn.layers": [{"kernel": 3}]}) == \
        "two convolutions"
    assert variant_name({"p1_cnn_train.learning_rate": 0.01}) == "learning_rate=0.01"
    assert variant_name({}) == "baseline"


PART_HEADINGS = (
    "1 Image classification with MNIST", "1.1 Train and test losses of the fully connected network "
    "and the CNN", "1.2 Understanding from the loss curves", "1.3 Predictions of the fully "
    "connected network", "1.4 Predictions of the CNN", "1.5 t-SNE of a hidden layer",
    "2 Object classification with CIFAR-100", "2.1 The loss function, written without torch.nn",
    "2.2 Train and test losses", "2.3 Understanding from the loss curves", "2.5 Predictions of the CNN",
    "3 Fine-tuning for optimal results: a ResNet from scratch", "3.2 Ablations: what each change does",
    "3.3 Predictions of the best model", "4 Summary and reproducibility")


@pytest.mark.slow
def test_quick_build_of_mnist_cifar100_answers_assignment_002(tmp_path, data_root):
    project = copy_project(tmp_path / "project")
    result = run_build(project, "build", "mnist-cifar100", "--profile", "quick")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "CIFAR-100: no real copy" in result.stdout, "the stand-in is written by the data step"
    assert result.stdout.count("[run ") == 2 * 35, "7+6 part-1, 6+6 part-2, 5 ResNet variants, 5 finals"
    html = (project / "report" / "mnist-cifar100" / "index.html").read_text()
    for text in PART_HEADINGS:
        assert text in html, text
    assert html.count("synthetic stand-in of 3,000 drawn shapes") == 2, "parts 2 and 3 announce it"
    assert "</span> handwritten_cross_entropy(logits" in html, "the loss's source is shown"
    assert "log_softmax_rows" in html
    assert len(re.findall(r"\d+ of 10 correct", html)) == 5, "a gallery per final network"
    assert "t-SNE of the fully connected network" in html and "t-SNE of the CNN" in html
    assert (project / "report" / "mnist-cifar100" / "mnist-cifar100.pdf").read_bytes().startswith(b"%PDF")
    finals = json.loads((project / "artifacts" / "mnist-cifar100" / "quick" / "results" /
                         "finals.json").read_text())["test_accuracy"]
    assert len(finals) == 5 and all(0 <= accuracy <= 1 for accuracy in finals.values())

    executed = nbformat.read(project / "artifacts" / "mnist-cifar100" / "book" / "part1.ipynb",
                             as_version=4)
    assert executed.cells[0].source == "# 1 Image classification with MNIST"
    pngs = [base64.b64decode(output["data"]["image/png"]) for cell in executed.cells
            if cell.cell_type == "code" for output in cell.outputs if "image/png" in output.get("data", {})]
    assert pngs and all(b"andrewid-20" in png for png in pngs), "every figure carries the stamp"
