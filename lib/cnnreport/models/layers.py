"""`layers`: a CNN declared layer by layer in YAML, for assignments that prescribe their network.

Each convolution states its kernel, output channels, padding and the pooling after it (max,
average, global average or none, with its kernel and stride); an activation follows every
convolution. Optional fully connected hidden layers come next, then the output layer of the class
count. Input shape and class count come from the data, so the same declaration serves 10 and 4
classes. Assignment 004's network, for example:

    layers:
      - {kernel: 7, channels: 16, pool: max, pool_stride: 1}
      - {kernel: 5, channels: 8, pool: max, pool_stride: 1}
      - {kernel: 3, channels: 4, pool: avg, pool_stride: 2}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal, Optional

import torch
from torch import nn

from .blocks import ACTIVATIONS, ActivationName, InitName, dense_problems, initialize
from .registry import Classifier, register_model

PoolKind = Literal["max", "avg", "global-average", "none"]
POOL_TAGS = {"max": "m", "avg": "a", "global-average": "g", "none": ""}


@dataclass(frozen=True)
class ConvLayerConfig:
    kernel: int
    channels: int
    padding: Literal["same", "valid"] = "same"  # same: zero padding keeps height and width
    pool: PoolKind = "none"
    pool_kernel: int = 2
    pool_stride: int = 2
    activation: Optional[ActivationName] = None  # None: the model's activation
    batch_norm: bool = False

    def tag(self) -> str:
        pool = f"{POOL_TAGS[self.pool]}{self.pool_stride}" if self.pool not in ("none", "global-average") \
            else POOL_TAGS[self.pool]
        return f"k{self.kernel}c{self.channels}{pool}{'b' if self.batch_norm else ''}"

    def problems(self) -> Iterator[str]:
        for key in ("kernel", "channels", "pool_kernel", "pool_stride"):
            if getattr(self, key) <= 0:
                yield f"{key} must be positive, got {getattr(self, key)}"
        if self.padding == "same" and self.kernel % 2 == 0:
            yield f"kernel {self.kernel} is even: 'same' padding needs an odd kernel"


@dataclass(frozen=True)
class LayersConfig:
    architecture: Literal["layers"] = "layers"
    layers: tuple[ConvLayerConfig, ...] = ()
    activation: ActivationName = "relu"
    hidden: tuple[int, ...] = ()  # fully connected hidden layers before the output layer
    dropout: float = 0.0  # before the output layer
    init: InitName = "default"  # default: PyTorch's (Kaiming-uniform); normal, xavier, he

    def tag(self) -> str:
        parts = ["layers-" + ".".join(layer.tag() for layer in self.layers), self.activation]
        parts += [f"h{'.'.join(map(str, self.hidden))}"] if self.hidden else []
        parts += [self.init] if self.init != "default" else []
        return "-".join(parts)

    def problems(self) -> Iterator[str]:
        if not self.layers:
            yield "layers needs at least one convolution"
        yield from dense_problems(self.hidden, self.dropout)


def _pool(layer: ConvLayerConfig) -> nn.Module | None:
    if layer.pool == "max":
        return nn.MaxPool2d(layer.pool_kernel, stride=layer.pool_stride)
    if layer.pool == "avg":
        return nn.AvgPool2d(layer.pool_kernel, stride=layer.pool_stride)
    if layer.pool == "global-average":
        return nn.AdaptiveAvgPool2d(1)
    return None


class LayersNet(Classifier):
    # channels_last measured no faster on the CPU for assignment 004's network (2 cores, batch 32:
    # 2,292 vs 2,301 images/s, medians of 6 runs), so it stays contiguous there
    channels_last_on_cpu = False

    def __init__(self, config: LayersConfig, input_shape: tuple[int, int, int], num_classes: int):
        super().__init__(input_shape, num_classes)
        modules: list[nn.Module] = []
        in_channels = input_shape[0]
        for layer in config.layers:
            padding = layer.kernel // 2 if layer.padding == "same" else 0
            modules.append(nn.Conv2d(in_channels, layer.channels, layer.kernel, padding=padding))
            if layer.batch_norm:
                modules.append(nn.BatchNorm2d(layer.channels))
            modules.append(ACTIVATIONS[layer.activation or config.activation]())
            pool = _pool(layer)
            if pool is not None:
                modules.append(pool)
            in_channels = layer.channels
        self.convolutions = nn.Sequential(*modules, nn.Flatten())
        with torch.no_grad():
            width = self.convolutions(torch.zeros(1, *input_shape)).shape[1]
        hidden: list[nn.Module] = []
        for units in config.hidden:
            hidden += [nn.Linear(width, units), ACTIVATIONS[config.activation]()]
            width = units
        self.hidden = nn.Sequential(*hidden)
        dropout = [nn.Dropout(config.dropout)] if config.dropout > 0 else []
        self.output = nn.Sequential(*dropout, nn.Linear(width, num_classes))
        self.feature_width = width
        initialize(self, config.init)

    def features(self, images):
        """The input of the output layer: flattened convolutions, or the last hidden layer."""
        return self.hidden(self.convolutions(self.normalize(images)))

    def classify(self, features):
        return self.output(features)


@register_model("layers", LayersConfig)
def build_layers(config: LayersConfig, input_shape, num_classes) -> LayersNet:
    return LayersNet(config, input_shape, num_classes)


def layer_table(net: LayersNet) -> list[dict]:
    """Each module of the network with its output shape and parameter count, for one image."""
    rows = []
    shape = (1, *net.input_shape)
    with torch.no_grad():
        signal = torch.zeros(shape)
        for module in [*net.convolutions, *net.hidden, *net.output]:
            signal = module(signal)
            rows.append({"layer": _describe(module), "output shape": tuple(signal.shape[1:]),
                         "parameters": sum(p.numel() for p in module.parameters())})
    return rows


def _describe(module: nn.Module) -> str:
    if isinstance(module, nn.Conv2d):
        return (f"Conv2d {module.kernel_size[0]}×{module.kernel_size[1]}, {module.in_channels} → "
                f"{module.out_channels} channels, padding {module.padding[0]}")
    if isinstance(module, (nn.MaxPool2d, nn.AvgPool2d)):
        kind = "MaxPool2d" if isinstance(module, nn.MaxPool2d) else "AvgPool2d"
        return f"{kind} {module.kernel_size}×{module.kernel_size}, stride {module.stride}"
    if isinstance(module, nn.Linear):
        return f"Linear {module.in_features} → {module.out_features}"
    return type(module).__name__
