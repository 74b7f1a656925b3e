"""The training engine on real MNIST: learns, writes true metric files, caches, resumes, repeats."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
import torch
from sklearn.metrics import accuracy_score, precision_score, recall_score

from cnnreport.common.seeding import seed_everything
from cnnreport.config.sections import TrainConfig
from cnnreport.config.typed_yaml import ConfigError
from cnnreport.data.splits import load_splits
from cnnreport.models import build_model
from cnnreport.models.convnet import ConvNetConfig
from cnnreport.studies.variants import training_data
from cnnreport.studies.registry import load_study_params
from cnnreport.training import runs as runs_module
from cnnreport.training.engine import predict_logits, random_flip, random_shift
from cnnreport.training.runs import RunSpec, make_run

from conftest import REPO

SMALL_MODEL = ConvNetConfig(channels=(16, 32, 64), feature_dim=64)
TWO_EPOCHS = TrainConfig(epochs=2, batch_size=64, learning_rate=0.003, eval_batch_size=1024)


def load_params(name, overrides=None):
    return load_study_params("mnist-svhn", name, overrides, root=REPO)


@pytest.fixture(scope="module")
def mnist_data(data_root):
    import os

    os.environ["CNNREPORT_DATA_ROOT"] = str(data_root)
    params = load_params("quick")  # 6000 images: 4200 / 600 / 1200
    splits = load_splits(params, "mnist")
    data, key = training_data(splits, 3000, seed=42)
    return splits, data, key


def spec_for(name: str, splits, key, **train_changes) -> RunSpec:
    return RunSpec(name, "mnist", SMALL_MODEL, dataclasses.replace(TWO_EPOCHS, **train_changes), 42,
                   {"fingerprint": splits.fingerprint}, key)


def without_timing(history: list[dict]) -> list[dict]:
    return [{k: v for k, v in record.items() if k != "seconds"} for record in history]


@pytest.fixture(scope="module")
def reference_run(mnist_data):
    splits, data, key = mnist_data
    seed_everything(42)
    return make_run(spec_for("reference", splits, key), data)


def test_small_real_subset_beats_90_percent_in_two_epochs(reference_run):
    assert reference_run.trained_epochs == 2
    assert reference_run.last["test"]["accuracy"] > 0.90
    assert len(reference_run.history) == 2


def test_metric_files_match_scikit_learn_on_the_same_predictions(reference_run, mnist_data):
    splits, data, _ = mnist_data
    payload = torch.load(reference_run.folder / "model_last.pt", weights_only=True)
    model = build_model(SMALL_MODEL, (3, 32, 32), 10)
    model.load_state_dict(payload["state_dict"])
    predictions = predict_logits(model, data.test.images, 512).argmax(1).numpy()
    labels = data.test.labels.numpy()
    table = pd.read_csv(reference_run.metric_files()["test"], sep=r"\s+")
    last = table.iloc[-1]
    assert last["epoch"] == 2
    assert last["accuracy"] == pytest.approx(accuracy_score(labels, predictions), abs=1e-5)
    assert last["precision"] == pytest.approx(
        precision_score(labels, predictions, average="macro", zero_division=0), abs=1e-5)
    assert last["recall"] == pytest.approx(recall_score(labels, predictions, average="macro"),
                                           abs=1e-5)
    assert last["recall_7"] == pytest.approx(
        recall_score(labels, predictions, labels=[7], average="macro"), abs=1e-5)
    for split in ("train", "val"):
        assert len(pd.read_csv(reference_run.metric_files()[split], sep=r"\s+")) == 2


def test_second_identical_call_trains_nothing(reference_run, mnist_data, monkeypatch):
    splits, data, key = mnist_data
    monkeypatch.setitem(runs_module.TRAINERS, "torch",
                        lambda *a, **k: pytest.fail("retrained a finished run"))
    again = make_run(spec_for("reference", splits, key), data)
    assert again.trained_epochs == 0 and again.run_id == reference_run.run_id
    assert without_timing(again.history) == without_timing(reference_run.history)


def test_any_changed_param_gives_a_new_run_id_but_the_label_does_not(mnist_data):
    splits, _, key = mnist_data
    base = spec_for("reference", splits, key)
    assert spec_for("reference", splits, key).run_id == base.run_id
    assert spec_for("another study's name", splits, key).run_id == base.run_id
    changed = [spec_for("reference", splits, key, learning_rate=0.001),
               spec_for("reference", splits, key, batch_size=128),
               dataclasses.replace(base, seed=43), dataclasses.replace(base, split={"fingerprint": "x"}),
               dataclasses.replace(base, model=dataclasses.replace(SMALL_MODEL, activation="gelu"))]
    assert len({spec.run_id for spec in changed} | {base.run_id}) == 6


def test_model_file_name_says_dataset_architecture_epochs_run_and_best_epoch(reference_run):
    name = reference_run.model_file.name
    assert name.startswith(f"mnist_convnet-c16.32.64x2-f64-relu_e2_{reference_run.run_id}")
    assert name.endswith(f"_best-e{reference_run.best_epoch}.pt")
    payload = torch.load(reference_run.model_file, weights_only=True)
    assert payload["epoch"] == reference_run.best_epoch and payload["dataset"] == "mnist"


def test_interrupted_run_resumes_to_identical_metrics(reference_run, mnist_data, tmp_path,
                                                     monkeypatch):
    splits, data, key = mnist_data
    monkeypatch.setenv("CNNREPORT_ARTIFACTS", str(tmp_path))  # the same run, made afresh here
    spec = spec_for("interrupted", splits, key)

    def crash_after_first_epoch(epoch, record):
        if epoch == 1:
            raise KeyboardInterrupt("simulated kill")

    with pytest.raises(KeyboardInterrupt):
        make_run(spec, data, on_epoch_end=crash_after_first_epoch)
    assert (runs_module.runs_dir() / spec.run_id / "checkpoint.pt").is_file()
    assert not (runs_module.runs_dir() / spec.run_id / "result.json").exists()
    resumed = make_run(spec, data)
    assert resumed.trained_epochs == 1, "resumed from the last finished epoch"
    assert without_timing(resumed.history) == without_timing(reference_run.history)


def test_two_cpu_runs_with_the_same_seed_are_identical(reference_run, mnist_data, tmp_path,
                                                       monkeypatch):
    splits, data, key = mnist_data
    monkeypatch.setenv("CNNREPORT_ARTIFACTS", str(tmp_path))  # the same run, made afresh here
    seed_everything(42)
    repeat = make_run(spec_for("repeat", splits, key), data)
    assert repeat.trained_epochs == 2
    assert without_timing(repeat.history) == without_timing(reference_run.history)


def test_bad_optimizer_or_activation_fails_before_training():
    with pytest.raises(ConfigError, match="choose one of: sgd, adam, adamw"):
        load_params("full", {"train.optimizer": "lbfgs"})
    with pytest.raises(ConfigError, match="study.variants\\[0\\].*choose one of: relu, leaky_relu"):
        load_params("full", {"study.variants": [{"model.activation": "swish"}]})


def test_model_shapes_and_probabilities():
    model = build_model(SMALL_MODEL, (3, 32, 32), 10).eval()
    images = torch.rand(5, 3, 32, 32)
    assert model(images).shape == (5, 10)
    assert model.features(images).shape == (5, 64)
    assert torch.allclose(model.probabilities(images).sum(1), torch.ones(5), atol=1e-6)


def test_random_shift_moves_pixels_without_changing_shape():
    generator = torch.Generator().manual_seed(0)
    image = torch.zeros(1, 1, 32, 32, dtype=torch.uint8)
    image[0, 0, 16, 16] = 255
    shifted = random_shift(image.repeat(64, 1, 1, 1), 2, generator)
    assert shifted.shape == (64, 1, 32, 32) and shifted.dtype == torch.uint8
    positions = {tuple(np.argwhere(s[0].numpy() == 255)[0]) for s in shifted}
    assert positions <= {(16 + dy, 16 + dx) for dy in range(-2, 3) for dx in range(-2, 3)}
    assert len(positions) > 10, "offsets vary per image"
    assert torch.equal(random_shift(image, 0, generator), image)


def test_random_flip_mirrors_about_half_of_the_images():
    generator = torch.Generator().manual_seed(0)
    images = torch.arange(64 * 4 * 4, dtype=torch.int64).reshape(64, 1, 4, 4).to(torch.uint8)
    flipped = random_flip(images, generator)
    assert flipped.shape == images.shape and flipped.dtype == torch.uint8
    mirrored = [bool(torch.equal(f, i.flip(-1))) for f, i in zip(flipped, images)]
    kept = [bool(torch.equal(f, i)) for f, i in zip(flipped, images)]
    assert all(m or k for m, k in zip(mirrored, kept))
    assert 20 < sum(mirrored) < 44, "about half, at random"
