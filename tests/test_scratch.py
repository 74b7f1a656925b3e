"""The NumPy MLP written from scratch: every hand gradient equals finite differences and PyTorch's
autograd, the cross-entropy equals torch's (extreme logits included), Adam and SGD step like
torch's, and a small network can learn 64 images by heart."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from cnnreport.scratch.gradcheck import (as_float64, layer_input_error, loss_and_gradients,
                                         numeric_gradients, relative_error)
from cnnreport.scratch.layers import GELU, Dropout, LeakyReLU, Linear, ReLU, Tanh
from cnnreport.scratch.loss import cross_entropy
from cnnreport.scratch.mlp import MLP, Preprocessor, make_optimizer, predict_logits, train_epoch

TORCH_ACTIVATIONS = {"relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.01),
                     "tanh": torch.tanh, "gelu": lambda x: F.gelu(x, approximate="tanh")}


def small_batch(seed: int = 0, features: int = 12, count: int = 7):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(count, features)), rng.integers(0, 5, count)


@pytest.mark.parametrize("layer", [ReLU(), LeakyReLU(), Tanh(), GELU(),
                                   Dropout(0.3, np.random.default_rng(1)),
                                   Linear(6, 4, np.random.default_rng(2))],
                         ids=lambda layer: type(layer).__name__)
def test_each_layer_input_gradient_equals_finite_differences(layer):
    inputs = np.random.default_rng(3).normal(size=(5, 6))
    inputs[np.abs(inputs) < 1e-3] = 0.5  # keep away from ReLU's kink
    for name, value in layer.params.items():
        layer.params[name] = value.astype(np.float64)
    assert layer_input_error(layer, inputs) < 1e-6


@pytest.mark.parametrize("activation", ["relu", "leaky_relu", "tanh", "gelu"])
@pytest.mark.parametrize("dropout", [0.0, 0.25])
def test_network_gradients_equal_finite_differences_and_autograd(activation, dropout):
    inputs, labels = small_batch()
    mlp = as_float64(MLP(12, (8, 6), 5, activation, dropout, seed=4))
    loss, analytic = loss_and_gradients(mlp, inputs, labels)
    numeric = numeric_gradients(mlp, inputs, labels)
    for name in analytic:
        assert relative_error(analytic[name], numeric[name]) < 1e-5, name
    # the same weights and dropout masks through torch: same loss, same gradients
    weights = {name: torch.tensor(value, requires_grad=True) for name, value in mlp.state().items()}
    signal = torch.tensor(inputs)
    for index, layer in enumerate(mlp.layers):
        if isinstance(layer, Linear):
            signal = signal @ weights[f"layers.{index}.W"] + weights[f"layers.{index}.b"]
        elif isinstance(layer, Dropout):
            signal = signal * torch.tensor(layer.mask)
        else:
            signal = TORCH_ACTIVATIONS[activation](signal)
    torch_loss = F.cross_entropy(signal, torch.tensor(labels))
    torch_loss.backward()
    assert float(torch_loss.detach()) == pytest.approx(loss, rel=1e-12)
    for name, tensor in weights.items():
        assert relative_error(analytic[name], tensor.grad.numpy()) < 1e-10, name


@pytest.mark.parametrize("scale", [1.0, 50.0, 1000.0])
def test_cross_entropy_equals_torch_even_for_extreme_logits(scale):
    rng = np.random.default_rng(5)
    logits = rng.normal(size=(9, 10)) * scale
    labels = rng.integers(0, 10, 9)
    loss, grad = cross_entropy(logits, labels)
    reference = torch.tensor(logits, requires_grad=True)
    torch_loss = F.cross_entropy(reference, torch.tensor(labels))
    torch_loss.backward()
    assert np.isfinite(loss) and loss == pytest.approx(float(torch_loss.detach()), rel=1e-12)
    assert np.allclose(grad, reference.grad.numpy(), atol=1e-15)


@pytest.mark.parametrize("name, torch_optimizer", [
    ("adam", lambda p: torch.optim.Adam(p, lr=0.01, weight_decay=0.001)),
    ("sgd", lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, weight_decay=0.001))])
def test_optimizers_step_like_torch(name, torch_optimizer):
    inputs, labels = small_batch(seed=6)
    mlp = as_float64(MLP(12, (8,), 5, "relu", 0.0, seed=7))
    weights = {key: torch.tensor(value.copy(), requires_grad=True) for key, value in mlp.state().items()}
    mine = make_optimizer(mlp, name, {"adam": 0.01, "sgd": 0.05}[name], 0.9, 0.001)
    theirs = torch_optimizer(list(weights.values()))
    for _ in range(3):
        _, gradients = loss_and_gradients(mlp, inputs, labels)
        mine.step()
        for key, tensor in weights.items():
            tensor.grad = torch.tensor(gradients[key])
        theirs.step()
    for key, value in mlp.state().items():
        assert np.allclose(value, weights[key].detach().numpy(), atol=1e-12), key


def test_a_small_mlp_learns_64_images_by_heart():
    rng = np.random.default_rng(8)
    images = rng.integers(0, 256, size=(64, 1, 8, 8), dtype=np.uint8)
    labels = rng.integers(0, 10, 64)
    prepare = Preprocessor().fit(images)
    inputs = prepare(images)
    assert inputs.shape == (64, 64) and inputs.dtype == np.float32
    assert abs(float(inputs.mean())) < 1e-5
    mlp = MLP(64, (64,), 10, "relu", 0.0, seed=9)
    optimizer = make_optimizer(mlp, "adam", 0.01, 0.9, 0.0)
    order = np.random.default_rng(10)
    for _ in range(60):
        loss, accuracy = train_epoch(mlp, inputs, labels, optimizer, 16, order, np.full(4, 0.01))
    assert accuracy == 1.0 and loss < 0.05
    assert (predict_logits(mlp, inputs).argmax(axis=1) == labels).all()


def test_the_scratch_mlp_trains_as_a_run_resumes_and_loads_like_any_model(data_root, tmp_path,
                                                                        monkeypatch):
    """Through the tool: a run on real Fashion-MNIST, metric files, resume, model file, evaluation."""
    import dataclasses

    from cnnreport.analysis.evaluation import evaluate
    from cnnreport.analysis.inference import load_model
    from cnnreport.config.sections import TrainConfig
    from cnnreport.data.splits import load_splits, stratified_subset
    from cnnreport.models.scratch_mlp import ScratchMLPConfig
    from cnnreport.studies.registry import load_study_params
    from cnnreport.training import runs as runs_module
    from cnnreport.training.engine import TrainingData
    from cnnreport.training.runs import RunSpec, make_run

    from conftest import REPO

    monkeypatch.setenv("CNNREPORT_DATA_ROOT", str(data_root))
    monkeypatch.setenv("CNNREPORT_ARTIFACTS", str(tmp_path))
    params = load_study_params("mnist-merged", "quick", {"data.datasets": ["fashion-mnist"],
                                                         "label_maps": {}, "experiments": [
        {"name": "original", "section": "5", "title": "E"}]}, root=REPO)
    splits = load_splits(params, "fashion-mnist")
    chosen = stratified_subset(splits.train.labels.numpy(), 1500, 0)
    data = TrainingData(splits.train.take(chosen), splits.val, splits.test)
    spec = RunSpec("scratch", "fashion-mnist", ScratchMLPConfig(hidden=(64,), dropout=0.1),
                   TrainConfig(epochs=3, optimizer="adam", learning_rate=0.002, batch_size=64,
                               schedule="cosine"), 42, splits.definition(params))

    def crash_after_second_epoch(epoch, record):
        if epoch == 2:
            raise KeyboardInterrupt("simulated kill")

    with pytest.raises(KeyboardInterrupt):
        make_run(spec, data, on_epoch_end=crash_after_second_epoch)
    resumed = make_run(spec, data)
    assert resumed.trained_epochs == 1, "resumed from the last finished epoch"
    assert resumed.best["test"]["accuracy"] > 0.70
    monkeypatch.setenv("CNNREPORT_ARTIFACTS", str(tmp_path / "uninterrupted"))
    straight = make_run(spec, data)

    def without_timing(history):
        return [{key: value for key, value in record.items() if key != "seconds"}
                for record in history]

    assert without_timing(straight.history) == without_timing(resumed.history), \
        "resuming changes nothing"
    loaded = load_model(straight.model_file)
    assert loaded.info["architecture"] == "scratch-mlp-h64-relu-d0.1"
    assert loaded.class_names[0] == "T-shirt/top" and loaded.model.input_shape == (1, 28, 28)
    evaluation = evaluate(loaded, splits.test, "MLP", "Fashion-MNIST test")
    assert evaluation.metrics["accuracy"] == pytest.approx(straight.best["test"]["accuracy"])
    table = (runs_module.runs_dir() / straight.run_id / "metrics_test.txt").read_text()
    assert table.splitlines()[0].split()[:3] == ["epoch", "loss", "accuracy"]
    assert dataclasses.asdict(spec.model)["architecture"] == "scratch-mlp"
