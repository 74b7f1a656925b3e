"""The autograd-animals study (assignment 003): its params and their errors, Grad-CAM, the
augmentation figure's rows, the real photos' per-class split, and its quick build end to end."""

from __future__ import annotations

import base64
import json
import re

import nbformat
import numpy as np
import pytest
import torch

from cnnreport.analysis.augment_preview import augmentations_on, augmented_copies
from cnnreport.analysis.evaluation import Evaluation, random_gallery_per_class
from cnnreport.analysis.gradcam import centre_share, gradcam_maps, last_convolution
from cnnreport.config.typed_yaml import ConfigError
from cnnreport.models.registry import build_model
from cnnreport.studies.autograd_animals.experiments import study_splits
from cnnreport.studies.registry import load_study_params
from conftest import REPO
from test_build import copy_project, run_build


def full(**overrides):
    return load_study_params("autograd-animals", "full", overrides, root=REPO)


@pytest.mark.parametrize("overrides, message", [
    ({"data.image_size": 32}, "data.image_size must be one of 64, 128, 256 (the assignment's input "
                              "sizes), got 32"),
    ({"cnn_train.targets": "index"}, "cnn_train.targets must be one-hot"),
    ({"data.split.per_class": False}, "data.split.per_class must be true"),
    ({"losses.variants": [{}, {"cnn.dropout": 0.5}]},
     "losses.variants[1]: override 'cnn.dropout' is not a loss setting; choose from "
     "cnn_train.focal_gamma, cnn_train.label_smoothing, cnn_train.loss, name"),
    ({"losses.variants": [{"cnn_train.loss": "hinge"}]}, "losses.variants[0]"),
    ({"figures.test_per_class": 0}, "figures.test_per_class must be positive, got 0"),
])
def test_bad_params_are_refused_naming_the_key(overrides, message):
    with pytest.raises(ConfigError) as raised:
        full(**overrides)
    assert message in str(raised.value)


def test_full_profile_meets_the_assignment():
    params = full()
    assert params.cnn_train.epochs >= 30 and params.data.image_size in (64, 128, 256)
    assert augmentations_on(params.cnn_train) >= 3
    assert all(layer.batch_norm and layer.pool != "none" for layer in params.cnn.layers)
    assert params.losses.variants[0] == {"name": "cross-entropy"}, "cross-entropy is the reference"


def test_real_photos_split_70_10_20_within_each_class(data_root, monkeypatch):
    monkeypatch.setenv("CNNREPORT_DATA_ROOT", str(data_root))
    splits = study_splits(full())
    assert splits.classes == ("cats", "dogs", "panda")
    for part, count in (("train", 700), ("val", 100), ("test", 200)):
        assert np.bincount(splits[part].labels.numpy()).tolist() == [count] * 3
    assert splits.train.images.dtype == torch.uint8 and splits.train.shape == (3, 64, 64)
    again = study_splits(full())
    assert torch.equal(again.test.labels, splits.test.labels) and again.fingerprint == splits.fingerprint


def small_cnn(size: int = 32):
    params = full()
    torch.manual_seed(0)
    return build_model(params.cnn, (3, size, size), 3)


def test_gradcam_maps_have_the_image_size_and_lie_in_0_1():
    model = small_cnn()
    images = torch.randint(0, 256, (5, 3, 32, 32), dtype=torch.uint8)
    before = {name: value.clone() for name, value in model.state_dict().items()}
    maps = gradcam_maps(model, images, torch.tensor([0, 1, 2, 0, 1]), batch_size=2)
    assert maps.shape == (5, 32, 32) and maps.min() >= 0 and maps.max() <= 1
    assert all(row.max() in (0.0, 1.0) for row in maps), "each map scaled by its own peak"
    assert last_convolution(model) is model.convolutions[-5], "the last Conv2d of the network"
    assert all(torch.equal(before[name], value) for name, value in model.state_dict().items())


def test_centre_share_tells_centre_from_border():
    centre, border = np.zeros((1, 8, 8)), np.ones((1, 8, 8))
    centre[0, 3:5, 3:5] = 1
    border[0, 2:6, 2:6] = 0
    assert centre_share(centre).tolist() == [1.0] and centre_share(border).tolist() == [0.0]
    assert centre_share(np.ones((1, 8, 8)))[0] == pytest.approx(16 / 64)


def test_augmentation_rows_are_the_training_functions_drawn_per_copy():
    params = full()
    image = torch.randint(0, 256, (3, 32, 32), dtype=torch.uint8)
    rows = augmented_copies(image, params.cnn_train, copies=4, seed=42)
    assert len(rows) == augmentations_on(params.cnn_train) + 1, "each one, then all together"
    assert all(batch.shape == (4, 3, 32, 32) and batch.dtype == torch.uint8 for batch in rows.values())
    again = augmented_copies(image, params.cnn_train, copies=4, seed=42)
    assert all(torch.equal(rows[name], again[name]) for name in rows), "seeded"
    together = rows["all together (training)"]
    assert not all(torch.equal(together[0], copy) for copy in together[1:]), "random per copy"


def test_probability_maps_draw_each_class_at_random():
    labels = np.repeat([0, 1, 2], 10)
    marked = torch.arange(30, dtype=torch.uint8)[:, None, None, None].expand(30, 3, 8, 8)
    evaluation = Evaluation("CNN", "test", marked, labels, ("cats", "dogs", "panda"),
                            np.full((30, 3), 1 / 3), labels.copy(), {"classes": [0, 1, 2]})
    first, again, second = (random_gallery_per_class(evaluation, 3, seed) for seed in (1, 1, 2))
    assert first.labels.tolist() == [0, 0, 0, 1, 1, 1, 2, 2, 2], "a row per class, in order"
    picked = first.images[:, 0, 0, 0].tolist()
    assert all(label * 10 <= index < label * 10 + 10 for index, label in zip(picked, first.labels)), \
        "each image from its own class"
    assert torch.equal(first.images, again.images), "a seed fixes the draw"
    assert not torch.equal(first.images, second.images), "another seed, other images"


QUESTION_HEADINGS = (
    "1 Gradients by hand, checked against autograd", "2 The weight update of a sigmoid unit",
    "2(a) Deriving", "2(b) Where the gradient vanishes", "3 Cats, dogs and pandas: a CNN from scratch",
    "3(a) Seed, split and the first images", "3(b) One-hot labels from the loader", "3(c) The CNN",
    "3(d) Augmentations written from scratch", "3(e) A validation function that cannot update",
    "3(f) Metrics per epoch", "3(g) Misclassified examples", "3(h) Test metrics",
    "3(i) The model loaded from its file", "3(j) Confusion matrix and probability maps",
    "3(k) An alternative loss under the same budget")


@pytest.mark.slow
def test_quick_build_of_autograd_animals_answers_assignment_003(tmp_path, data_root):
    project = copy_project(tmp_path / "project")
    # its runs as jobs of submitit's local executor: the slurm path up to the submission
    result = run_build(project, "build", "autograd-animals", "--profile", "quick",
                       "-p", "execution.runs.executor=slurm", "-p", "execution.runs.slurm.cluster=local",
                       "-p", "execution.runs.slurm.cpus_per_job=1", "-p", "execution.runs.slurm.poll_s=1")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "[runs] submitted 4 local job(s)" in result.stdout, "4 tuning variants at once"
    assert "[runs] submitted 3 local job(s)" in result.stdout, "then the 3 losses"
    assert len(re.findall(r"\[run \d\] \S+: job \d+ done", result.stdout)) == 7
    assert len(list((project / "artifacts" / "slurm").glob("*/*_log.out"))) == 7
    html = (project / "report" / "autograd-animals" / "index.html").read_text()
    for text in QUESTION_HEADINGS:
        assert text in html, text
    assert "are <strong>equal</strong> (to 1e-06)" in html, "question 1 is exact"
    assert "<math" in html, "the derivations are typeset as math"
    assert "bit-identical</strong>; 0 parameters hold a gradient" in html
    assert "metrics_train.txt" in html and "metrics_val.txt" in html
    assert "The hardest pair: " in html and "test images are taken for the other" in html
    assert (project / "report" / "autograd-animals" / "autograd-animals.pdf").read_bytes() \
        .startswith(b"%PDF")
    finals = json.loads((project / "artifacts" / "autograd-animals" / "quick" / "results" /
                         "finals.json").read_text())["test_accuracy"]
    assert list(finals) == ["CNN (3 classes)"] and 0 <= finals["CNN (3 classes)"] <= 1

    executed = nbformat.read(project / "artifacts" / "autograd-animals" / "book" /
                             "q3-classifier.ipynb", as_version=4)
    assert executed.cells[0].source == "# 3 Cats, dogs and pandas: a CNN from scratch"
    markdown = "\n".join(output["data"].get("text/markdown", "") for cell in executed.cells
                         if cell.cell_type == "code" for output in cell.outputs if "data" in output)
    assert "(45 images)" in markdown and "Table 3.2: The first 6 training labels as one-hot" in markdown
    pngs = [output["data"]["image/png"] for cell in executed.cells if cell.cell_type == "code"
            for output in cell.outputs if "image/png" in output.get("data", {})]
    assert len(pngs) == 10 and all(base64.b64decode(png).startswith(b"\x89PNG") for png in pngs)
