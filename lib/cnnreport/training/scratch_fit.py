"""Training loop of the NumPy models (`trainer = "numpy"`), with the torch engine's contract.

The same seeded order per epoch, the same per-epoch record (train loss and accuracy; validation and
test loss, accuracy, macro and per-class scores; learning rate; seconds), the same atomic
checkpoint after every epoch and best-validation model, so runs, metric files, resuming and model
files work unchanged. Every epoch reseeds its batch order and dropout masks from (seed, epoch), so a
resumed run equals an uninterrupted one.
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import torch

from ..common import atomic
from ..common.torch_files import read_torch_file
from ..config.sections import TrainConfig
from ..scratch.layers import Dropout
from ..scratch.loss import cross_entropy
from ..scratch.mlp import make_optimizer, predict_logits, train_epoch
from .engine import EpochCallback, TrainingData, best_is_last, restricted_predictions
from .metrics import classification_metrics

SCHEDULES = ("none", "cosine")


def as_inputs(images: torch.Tensor) -> np.ndarray:
    """uint8 images scaled to [0, 1] (float features stay as they are), as float32 NumPy."""
    array = images.detach().cpu().numpy()
    return (array.astype(np.float32) / 255.0) if array.dtype == np.uint8 else array.astype(np.float32)


def step_rates(config: TrainConfig, epoch: int, steps: int) -> np.ndarray:
    """The learning rate of every step of `epoch` (1-based): constant, or cosine over all epochs."""
    if config.schedule not in SCHEDULES:
        raise ValueError(f"the NumPy trainer has no schedule {config.schedule!r}; choose one of: "
                         f"{', '.join(SCHEDULES)}")
    if config.schedule == "none":
        return np.full(steps, config.learning_rate)
    done = (epoch - 1) * steps + np.arange(steps)
    return config.learning_rate * 0.5 * (1 + np.cos(math.pi * done / (config.epochs * steps)))


def fit(model, data: TrainingData, config: TrainConfig, seed: int, checkpoint: Path,
        best_model: Path, on_epoch_end: EpochCallback | None = None,
        description: str | None = "training") -> tuple[list[dict], int]:
    """Train `model` (a NumPy model) for `config.epochs`, resuming from `checkpoint`; `description`
    is unused (the torch engine names its progress bar with it)."""
    train_raw = as_inputs(data.train.images)
    train_labels = data.train.labels.cpu().numpy()
    history: list[dict] = []
    if checkpoint.is_file():
        state = read_torch_file(checkpoint, "training checkpoint")
        model.load_state_dict(state["model"])
        history = state["history"]
    else:
        model.fit_standardization(train_raw)
    inputs = {split: model.standardize(as_inputs(getattr(data, split).images))
              for split in ("val", "test")}
    train_inputs = model.standardize(train_raw)
    optimizer = make_optimizer(model.mlp, config.optimizer, config.learning_rate, config.momentum,
                               config.weight_decay)
    if history:
        _restore_optimizer(optimizer, state["optimizer"])
    resumed_from = len(history)
    steps = -(-len(train_labels) // config.batch_size)
    for epoch in range(len(history) + 1, config.epochs + 1):
        started = time.perf_counter()
        _reseed_dropout(model.mlp, seed, epoch)
        rates = step_rates(config, epoch, steps)
        loss, accuracy = train_epoch(model.mlp, train_inputs, train_labels, optimizer,
                                     config.batch_size, np.random.default_rng((seed, epoch)), rates)
        record = {"epoch": epoch, "train": {"loss": loss, "accuracy": accuracy},
                  **{split: _split_record(model, inputs[split],
                                          getattr(data, split).labels.cpu().numpy(),
                                          data.scored_classes) for split in ("val", "test")},
                  "learning_rate": float(rates[-1]), "seconds": time.perf_counter() - started}
        history.append(record)
        if best_is_last(history):
            atomic.torch_save(best_model, {"model": model.state_dict(), "epoch": len(history)})
        atomic.torch_save(checkpoint, {"model": model.state_dict(), "history": history,
                                       "optimizer": _optimizer_state(optimizer)})
        if on_epoch_end:
            on_epoch_end(epoch, record)
    return history, len(history) - resumed_from


def _split_record(model, inputs: np.ndarray, labels: np.ndarray, classes) -> dict:
    logits = predict_logits(model.mlp, inputs)
    predictions = restricted_predictions(torch.from_numpy(logits), classes).numpy()
    record = classification_metrics(labels, predictions, classes)
    record["loss"] = cross_entropy(logits, labels)[0]
    return record


def _reseed_dropout(mlp, seed: int, epoch: int) -> None:
    for index, layer in enumerate(mlp.layers):
        if isinstance(layer, Dropout):
            layer.rng = np.random.default_rng((seed, epoch, index))


def _optimizer_state(optimizer) -> dict:
    """Momentum buffers (and Adam's step count) as tensors, for the checkpoint."""
    slots = {name: getattr(optimizer, name) for name in ("velocity", "first", "second")
             if hasattr(optimizer, name)}
    state = {f"{name}.{index}": torch.from_numpy(array.copy())
             for name, arrays in slots.items() for index, array in enumerate(arrays)}
    state["steps"] = torch.tensor(getattr(optimizer, "steps", 0))
    return state


def _restore_optimizer(optimizer, state: dict) -> None:
    for name in ("velocity", "first", "second"):
        if hasattr(optimizer, name):
            for index, array in enumerate(getattr(optimizer, name)):
                array[...] = state[f"{name}.{index}"].numpy()
    if hasattr(optimizer, "steps"):
        optimizer.steps = int(state["steps"])
