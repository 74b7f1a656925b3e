"""`resnet`: a ResNet with basic blocks (He et al., 2016), sized for small images and trained from
scratch: a 3x3 stem keeps the resolution, each stage of basic blocks (two 3x3 convolutions with
batch normalization and an identity or 1x1 shortcut) halves it after the first, global average
pooling gives the features, a linear layer the logits. `widths=(64, 128, 256, 512)` with
`blocks=(2, 2, 2, 2)` is ResNet-18 as used for CIFAR; fewer or narrower stages make it cheaper.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal

from torch import nn

from .blocks import ACTIVATIONS, ActivationName, InitName, dense_problems, initialize
from .registry import Classifier, register_model


@dataclass(frozen=True)
class ResNetConfig:
    architecture: Literal["resnet"] = "resnet"
    widths: tuple[int, ...] = (64, 128, 256, 512)  # channels of each stage
    blocks: tuple[int, ...] = (2, 2, 2, 2)  # basic blocks per stage
    activation: ActivationName = "relu"
    dropout: float = 0.0  # before the output layer
    zero_init_residual: bool = True  # each block starts as the identity (last BN scale zero)
    init: InitName = "he"

    def tag(self) -> str:
        widths = ".".join(map(str, self.widths))
        depth = ".".join(map(str, self.blocks))
        return f"resnet-w{widths}-b{depth}-{self.activation}" + (f"-d{self.dropout:g}"
                                                                 if self.dropout else "")

    def problems(self) -> Iterator[str]:
        if not self.widths or len(self.widths) != len(self.blocks):
            yield (f"widths and blocks need one entry per stage, got {len(self.widths)} and "
                   f"{len(self.blocks)}")
        for key in ("widths", "blocks"):
            for index, value in enumerate(getattr(self, key)):
                if value <= 0:
                    yield f"{key}[{index}] must be positive, got {value}"
        yield from dense_problems((), self.dropout)


class BasicBlock(nn.Module):
    def __init__(self, in_channels: int, out_channels: int, stride: int, activation: str):
        super().__init__()
        self.residual = nn.Sequential(
            nn.Conv2d(in_channels, out_channels, 3, stride=stride, padding=1, bias=False),
            nn.BatchNorm2d(out_channels), ACTIVATIONS[activation](),
            nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
            nn.BatchNorm2d(out_channels))
        self.shortcut = nn.Identity() if stride == 1 and in_channels == out_channels else \
            nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, stride=stride, bias=False),
                          nn.BatchNorm2d(out_channels))
        self.activation = ACTIVATIONS[activation]()

    def forward(self, inputs):
        return self.activation(self.residual(inputs) + self.shortcut(inputs))


class ResNet(Classifier):
    def __init__(self, config: ResNetConfig, input_shape: tuple[int, int, int], num_classes: int):
        super().__init__(input_shape, num_classes)
        stem_width = config.widths[0]
        layers: list[nn.Module] = [
            nn.Conv2d(input_shape[0], stem_width, 3, padding=1, bias=False),
            nn.BatchNorm2d(stem_width), ACTIVATIONS[config.activation]()]
        width = stem_width
        for stage, (stage_width, count) in enumerate(zip(config.widths, config.blocks)):
            for index in range(count):
                stride = 2 if stage > 0 and index == 0 else 1
                layers.append(BasicBlock(width, stage_width, stride, config.activation))
                width = stage_width
        layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
        self.body = nn.Sequential(*layers)
        self.output = nn.Sequential(*([nn.Dropout(config.dropout)] if config.dropout else []),
                                    nn.Linear(width, num_classes))
        initialize(self, config.init)
        if config.zero_init_residual:
            for module in self.modules():
                if isinstance(module, BasicBlock):
                    nn.init.zeros_(module.residual[-1].weight)

    def features(self, images):
        """Global average of the last stage: one value per channel."""
        return self.body(self.normalize(images))

    def classify(self, features):
        return self.output(features)


@register_model("resnet", ResNetConfig)
def build_resnet(config: ResNetConfig, input_shape, num_classes) -> ResNet:
    return ResNet(config, input_shape, num_classes)
