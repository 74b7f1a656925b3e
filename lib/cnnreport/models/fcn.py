"""`fcn`: a fully connected network in PyTorch (linear layers only), for assignments that ask for
one beside a CNN: the image is flattened, passes through hidden linear layers, each followed by an
activation (and optionally batch normalization before it and dropout after it), then a linear
output layer. Its features (what t-SNE and UMAP project) are the last hidden layer's output.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterator, Literal

from torch import nn

from .blocks import ACTIVATIONS, ActivationName, InitName, dense_problems, initialize
from .registry import Classifier, register_model


@dataclass(frozen=True)
class FCNConfig:
    architecture: Literal["fcn"] = "fcn"
    hidden: tuple[int, ...] = (512, 256)  # widths of the hidden linear layers (depth: how many)
    activation: ActivationName = "relu"
    dropout: float = 0.0  # after every hidden layer's activation
    batch_norm: bool = False  # BatchNorm1d between each hidden linear layer and its activation
    init: InitName = "default"

    def tag(self) -> str:
        parts = [f"fcn-h{'.'.join(map(str, self.hidden))}", self.activation]
        parts += ["bn"] if self.batch_norm else []
        parts += [f"d{self.dropout:g}"] if self.dropout else []
        parts += [self.init] if self.init != "default" else []
        return "-".join(parts)

    def problems(self) -> Iterator[str]:
        if not self.hidden:
            yield "hidden needs at least one layer (without one it is a linear classifier)"
        yield from dense_problems(self.hidden, self.dropout)


class FCN(Classifier):
    def __init__(self, config: FCNConfig, input_shape: tuple[int, int, int], num_classes: int):
        super().__init__(input_shape, num_classes)
        layers: list[nn.Module] = [nn.Flatten()]
        width = math.prod(input_shape)
        for units in config.hidden:
            layers.append(nn.Linear(width, units))
            layers += [nn.BatchNorm1d(units)] if config.batch_norm else []
            layers.append(ACTIVATIONS[config.activation]())
            layers += [nn.Dropout(config.dropout)] if config.dropout else []
            width = units
        self.hidden = nn.Sequential(*layers)
        self.output = nn.Linear(width, num_classes)
        initialize(self, config.init)

    def features(self, images):
        """The last hidden layer's output."""
        return self.hidden(self.normalize(images))

    def classify(self, features):
        return self.output(features)


@register_model("fcn", FCNConfig)
def build_fcn(config: FCNConfig, input_shape, num_classes) -> FCN:
    return FCN(config, input_shape, num_classes)
