"""The training engine: whole splits on the device, batches by index, one host sync per epoch.

Measured with `nox -s bench` (README "Speed"): no DataLoader, no per-sample transform. Images stay
uint8 on the device; an epoch draws a seeded permutation, slices batches from it, shifts them at
random on the device, and scales to [0, 1] only then. On CUDA the forward pass runs under bf16
autocast with channels_last tensors; on CPU the same code runs in float32, channels_last for the
architectures where it was measured faster (`Classifier.channels_last_on_cpu`). Loss sums and
predictions stay on the device until the end of the epoch, when they come to the host together.

A checkpoint is written atomically after every epoch; `fit` resumes from it, and because every epoch
reseeds its own generators from (seed, epoch), a resumed run equals an uninterrupted one on CPU.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

import torch
import torch.nn.functional as F
from torch import nn
from tqdm import tqdm

from ..common import atomic
from ..common.torch_files import read_torch_file
from ..config.sections import TrainConfig
from ..data.image_set import ImageSet, to_model_input
from .augment import colour_jitter, random_flip, random_resized_crop, random_rotation, random_shift
from .losses import batch_targets, loss_function
from .metrics import classification_metrics

EpochCallback = Callable[[int, dict], None]


def pick_device() -> torch.device:
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


@dataclass
class TrainingData:
    """Device-resident splits and the classes the run is scored on."""

    train: ImageSet
    val: ImageSet
    test: ImageSet
    classes: tuple[int, ...] = ()  # label indices scored; () means every class of the data

    @property
    def scored_classes(self) -> tuple[int, ...]:
        return self.classes or tuple(range(self.train.num_classes))


# ---------------------------------------------------------------------------------------------
# Setup


def device_description(device: torch.device) -> str:
    """What an epoch ran on, for reports that state per-epoch times: the GPU's name, or the CPU
    with the threads torch used."""
    if device.type == "cuda":
        return torch.cuda.get_device_name(device)
    return f"CPU, {torch.get_num_threads()} threads"


def make_optimizer(model: nn.Module, config: TrainConfig) -> torch.optim.Optimizer:
    if config.optimizer == "sgd":
        return torch.optim.SGD(model.parameters(), lr=config.learning_rate,
                               momentum=config.momentum, nesterov=True,
                               weight_decay=config.weight_decay)
    optimizer_class = torch.optim.Adam if config.optimizer == "adam" else torch.optim.AdamW
    return optimizer_class(model.parameters(), lr=config.learning_rate,
                           weight_decay=config.weight_decay)


def make_schedule(optimizer: torch.optim.Optimizer, config: TrainConfig, steps_per_epoch: int):
    total_steps = config.epochs * steps_per_epoch
    if config.schedule == "onecycle" and total_steps >= 3:  # (fewer steps: a constant rate)
        # a quarter of the steps warm up; at least two, or a very short run's warm-up phase would
        # have no length (torch divides by it)
        return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=config.learning_rate,
                                                   total_steps=total_steps,
                                                   pct_start=max(0.25, 2 / total_steps))
    if config.schedule == "cosine":
        return torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=total_steps)
    return torch.optim.lr_scheduler.LambdaLR(optimizer, lambda step: 1.0)


def uses_channels_last(model: nn.Module, device: torch.device) -> bool:
    return device.type == "cuda" or getattr(model, "channels_last_on_cpu", False)


def _prepare(model: nn.Module, images: torch.Tensor, device: torch.device) -> torch.Tensor:
    batch = to_model_input(images, model.input_shape[0])
    return batch.contiguous(memory_format=torch.channels_last) \
        if uses_channels_last(model, device) else batch


def _autocast(device: torch.device):
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16,
                          enabled=device.type == "cuda")


# ---------------------------------------------------------------------------------------------
# Evaluation


@torch.no_grad()
def predict_logits(model: nn.Module, images: torch.Tensor, batch_size: int) -> torch.Tensor:
    """Float32 logits for uint8 images already on the model's device (no host sync)."""
    device = images.device
    model.eval()
    outputs = []
    for start in range(0, len(images), batch_size):
        with _autocast(device):
            outputs.append(model(_prepare(model, images[start:start + batch_size], device)).float())
    return torch.cat(outputs) if outputs else torch.empty(0, model.num_classes, device=device)


def restricted_predictions(scores: torch.Tensor, classes: Sequence[int]) -> torch.Tensor:
    """Argmax over the scored classes only (all of them, or e.g. classes 1 and 2 of an imbalance
    study).

    `scores` may be logits or probabilities: softmax keeps the order, so the argmax is the same.
    """
    class_index = torch.as_tensor(classes, device=scores.device)
    return class_index[scores[:, class_index].argmax(dim=1)]


@torch.no_grad()
def validate(model: nn.Module, image_set: ImageSet, batch_size: int, classes: Sequence[int]):
    """Loss sum and predictions on a held-out split, as device tensors (no host sync).

    It cannot update the model: evaluation mode (batch norm reads its running statistics instead of
    updating them, dropout is off), no gradient is recorded, and no optimizer is in reach; a test
    checks every weight and buffer is bit-identical afterwards.
    """
    logits = predict_logits(model, image_set.images, batch_size)
    loss_sum = F.cross_entropy(logits, image_set.labels, reduction="sum")
    return loss_sum, restricted_predictions(logits, classes)


def _split_record(loss_sum: torch.Tensor, predictions: torch.Tensor, image_set: ImageSet,
                  classes) -> dict:
    record = classification_metrics(image_set.labels.cpu().numpy(), predictions.cpu().numpy(),
                                    classes)
    record["loss"] = float(loss_sum) / max(1, len(image_set))
    return record


# ---------------------------------------------------------------------------------------------
# Training


def fit(model: nn.Module, data: TrainingData, config: TrainConfig, seed: int, checkpoint: Path,
        best_model: Path, on_epoch_end: EpochCallback | None = None,
        description: str | None = "training") -> tuple[list[dict], int]:
    """Train for `config.epochs`, resuming from `checkpoint`; return the per-epoch history and the
    number of epochs trained by this call. `description` names the batch progress bar; None shows
    none (worker processes, whose bars would garble each other's lines).

    After each epoch: train loss/accuracy and loss, accuracy, macro precision/recall and per-class
    values on validation and test. The best-validation weights are kept in `best_model`.
    """
    device = data.train.images.device
    model.to(device)
    if uses_channels_last(model, device):
        model.to(memory_format=torch.channels_last)
    steps_per_epoch = -(-len(data.train) // config.batch_size)
    optimizer = make_optimizer(model, config)
    schedule = make_schedule(optimizer, config, steps_per_epoch)
    history: list[dict] = []
    if checkpoint.is_file():
        state = read_torch_file(checkpoint, "training checkpoint", map_location=device)
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        schedule.load_state_dict(state["schedule"])
        torch.set_rng_state(state["rng"])
        history = state["history"]
    resumed_from = len(history)
    progress = tqdm(total=config.epochs * steps_per_epoch, initial=len(history) * steps_per_epoch,
                    desc=description, unit="batch", file=sys.stderr, mininterval=2.0,
                    dynamic_ncols=True, disable=description is None)
    for epoch in range(len(history) + 1, config.epochs + 1):
        record = _train_one_epoch(model, data, config, optimizer, schedule, seed, epoch, progress)
        history.append(record)
        _save_progress(model, optimizer, schedule, history, checkpoint, best_model)
        progress.set_postfix(loss=f"{record['train']['loss']:.3f}",
                             acc=f"{record['train']['accuracy']:.3f}",
                             val_acc=f"{record['val']['accuracy']:.4f}")
        if on_epoch_end:
            on_epoch_end(epoch, record)
    progress.close()
    return history, len(history) - resumed_from


def _train_one_epoch(model, data: TrainingData, config: TrainConfig, optimizer, schedule,
                     seed: int, epoch: int, progress) -> dict:
    device = data.train.images.device
    started = time.perf_counter()
    torch.manual_seed(seed * 10_000 + epoch)  # dropout: the same draws whether resumed or not
    generator = torch.Generator(device=device).manual_seed(seed * 10_000 + epoch)
    loss_sum, correct = train_batches(model, data.train, config, optimizer, schedule, generator,
                                      progress.update)
    learning_rate = schedule.get_last_lr()[0]
    classes = data.scored_classes
    val = validate(model, data.val, config.eval_batch_size, classes)
    test = validate(model, data.test, config.eval_batch_size, classes)
    count = len(data.train)
    return {  # the host sync: everything above stayed on the device
        "epoch": epoch,
        "train": {"loss": float(loss_sum) / count, "accuracy": int(correct) / count},
        "val": _split_record(*val, data.val, classes),
        "test": _split_record(*test, data.test, classes),
        "learning_rate": learning_rate,
        "seconds": time.perf_counter() - started,
        "device": device_description(device),
    }


def train_batches(model, train: ImageSet, config: TrainConfig, optimizer, schedule,
                  generator: torch.Generator, on_batch: Callable[[int], object] = lambda n: None):
    """One pass over `train` in a seeded random order; returns device tensors (loss sum, correct)."""
    device = train.images.device
    order = torch.randperm(len(train), generator=generator, device=device)
    model.train()
    loss_sum = torch.zeros((), device=device)
    correct = torch.zeros((), device=device, dtype=torch.long)
    compute_loss = loss_function(config)
    for start in range(0, len(order), config.batch_size):
        index = order[start:start + config.batch_size]
        images = augment(train.images[index], config, generator, model.input_shape[0])
        labels = train.labels[index]
        targets = batch_targets(labels, config, model.num_classes)
        with _autocast(device):
            logits = model(_prepare(model, images, device))
            loss = compute_loss(logits.float(), targets)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        schedule.step()
        loss_sum += loss.detach() * len(index)
        correct += (logits.argmax(dim=1) == labels).sum()
        on_batch(1)
    return loss_sum, correct


def augment(images: torch.Tensor, config: TrainConfig, generator: torch.Generator,
            channels: int) -> torch.Tensor:
    """A training batch's random augmentations (training/augment.py), as the config asks: shifts and
    flips on the uint8 images; crops, rotations and colour jitter on [0, 1] floats, only when one of
    them is on (otherwise the batch stays uint8 until the model's input is made)."""
    images = random_shift(images, config.augment_shift, generator)
    if config.augment_flip:
        images = random_flip(images, generator)
    if config.augment_crop >= 1 and not config.augment_rotate and not config.augment_jitter:
        return images
    images = to_model_input(images, channels)
    images = random_resized_crop(images, config.augment_crop, generator)
    images = random_rotation(images, config.augment_rotate, generator)
    return colour_jitter(images, config.augment_jitter, generator)


def best_is_last(history: list[dict]) -> bool:
    """Whether the last epoch has the best validation accuracy so far (the earliest wins ties)."""
    accuracies = [record["val"]["accuracy"] for record in history]
    return accuracies.index(max(accuracies)) == len(history) - 1


def _save_progress(model, optimizer, schedule, history: list[dict], checkpoint: Path,
                   best_model: Path) -> None:
    if best_is_last(history):
        atomic.torch_save(best_model, {"model": model.state_dict(), "epoch": len(history)})
    atomic.torch_save(checkpoint, {"model": model.state_dict(), "optimizer": optimizer.state_dict(),
                                   "schedule": schedule.state_dict(), "history": history,
                                   "rng": torch.get_rng_state()})
