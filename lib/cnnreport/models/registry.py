"""The model registry: architectures by name, each with its typed config and its builder.

A model is registered where it is defined (`@register_model`), like timm and torchvision do, and
built by its config alone plus what the data say: input shape and class count. Nothing else
branches on an architecture's name. A model file stores the config, so `build_model` rebuilds any
registered architecture from it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

import torch
from torch import nn

INPUT_MEAN = 0.5  # every model maps its [0, 1] input to [-1, 1]: one normalization for all data
INPUT_STD = 0.5


class Classifier(nn.Module):
    """What every registered model is: `forward` gives logits (what cross-entropy wants),
    `features` the layer that feeds the output layer (what UMAP and t-SNE project),
    `probabilities` the softmax."""

    # The engine trains in channels_last on CUDA always, and on the CPU for architectures that set
    # this after measuring a gain (`python -m cnnreport.tools.bench --memory-format ...`).
    channels_last_on_cpu = False

    def __init__(self, input_shape: tuple[int, int, int], num_classes: int):
        super().__init__()
        self.input_shape = tuple(input_shape)
        self.num_classes = num_classes
        self.register_buffer("input_mean", torch.tensor(INPUT_MEAN))
        self.register_buffer("input_std", torch.tensor(INPUT_STD))

    def normalize(self, images: torch.Tensor) -> torch.Tensor:
        return (images - self.input_mean) / self.input_std

    def features(self, images: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def classify(self, features: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classify(self.features(images))

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.forward(images), dim=1)


@dataclass(frozen=True)
class ModelEntry:
    name: str
    config: type  # frozen dataclass with `architecture: Literal[name]`
    build: Callable[..., Classifier]  # (config, input_shape, num_classes) -> model
    module: str  # where it is defined: runs hash its source
    trainer: str = "torch"  # the training loop (training.runs.TRAINERS): "torch" or "numpy"


_MODELS: dict[str, ModelEntry] = {}


def register_model(name: str, config: type, trainer: str = "torch"):
    """Decorator for a builder `(config, input_shape, num_classes) -> Classifier`."""
    def decorator(build):
        _MODELS[name] = ModelEntry(name, config, build, build.__module__, trainer)
        return build

    return decorator


def model_names() -> tuple[str, ...]:
    return tuple(_MODELS)


def model_entry(config) -> ModelEntry:
    name = getattr(config, "architecture", None)
    if name not in _MODELS:
        raise ValueError(f"unknown architecture {name!r}; choose one of: {', '.join(_MODELS)}")
    return _MODELS[name]


def config_class(name: str) -> type:
    if name not in _MODELS:
        raise ValueError(f"unknown architecture {name!r}; choose one of: {', '.join(_MODELS)}")
    return _MODELS[name].config


def config_union():
    """The params type of a `model:` section: any registered config, told apart by `architecture`."""
    configs = tuple(entry.config for entry in _MODELS.values())
    return configs[0] if len(configs) == 1 else Union[configs]


def build_model(config, input_shape: tuple[int, int, int], num_classes: int) -> Classifier:
    return model_entry(config).build(config, tuple(input_shape), num_classes)


def architecture_name(config) -> str:
    """Short tag for file names, e.g. `convnet-c32.64.128x2-f256-relu`."""
    return config.tag()


def count_parameters(model, trainable_only: bool = False) -> int:
    """Parameters of a model (a NumPy model counts its own: all of them are trained)."""
    if not isinstance(model, nn.Module):
        return model.parameter_count()
    return sum(parameter.numel() for parameter in model.parameters()
               if parameter.requires_grad or not trainable_only)


def model_device(model) -> torch.device:
    """Where a model computes (NumPy models say so themselves)."""
    return getattr(model, "device", None) or next(model.parameters()).device
