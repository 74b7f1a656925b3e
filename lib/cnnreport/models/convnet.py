"""`convnet`: conv-BN-activation blocks with max-pooling, a fully connected feature layer, and a
linear classifier whose probabilities come from softmax. Built from scratch with torch.nn.

Inputs are scaled to [0, 1]; the network normalizes them itself with one fixed mean and standard
deviation (see `registry.Classifier`), so every dataset is treated identically and a saved model
needs nothing but images to predict.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Literal

from torch import nn

from .blocks import ACTIVATIONS, ActivationName, dense_problems
from .registry import Classifier, register_model



@dataclass(frozen=True)
class ConvNetConfig:
    architecture: Literal["convnet"] = "convnet"
    channels: tuple[int, ...] = (32, 64, 128)  # output channels of each conv block
    convs_per_block: int = 2  # conv-BN-activation layers before each max-pool
    feature_dim: int = 256  # width of the fully connected feature layer (UMAP input)
    activation: ActivationName = "relu"
    dropout: float = 0.3  # before the classifier

    def tag(self) -> str:
        widths = ".".join(str(width) for width in self.channels)
        return f"convnet-c{widths}x{self.convs_per_block}-f{self.feature_dim}-{self.activation}"

    def problems(self) -> Iterator[str]:
        if not self.channels:
            yield "channels needs at least one block"
        for index, width in enumerate(self.channels):
            if width <= 0:
                yield f"channels[{index}] must be positive, got {width}"
        for key in ("convs_per_block", "feature_dim"):
            if getattr(self, key) <= 0:
                yield f"{key} must be positive, got {getattr(self, key)}"
        yield from dense_problems((), self.dropout)


class ConvNet(Classifier):
    # 2 CPU cores, torch 2.15: 223 vs 186 images/s (full profile, batch 256) and 1,588 vs 1,540
    # (quick profile, batch 64) in channels_last vs contiguous, medians of 4-5 runs
    channels_last_on_cpu = True

    def __init__(self, config: ConvNetConfig, input_shape: tuple[int, int, int], num_classes: int):
        super().__init__(input_shape, num_classes)
        make_activation = ACTIVATIONS[config.activation]
        layers: list[nn.Module] = []
        in_channels, height, width = input_shape
        for block_width in config.channels:
            for _ in range(config.convs_per_block):
                layers += [nn.Conv2d(in_channels, block_width, 3, padding=1, bias=False),
                           nn.BatchNorm2d(block_width), make_activation()]
                in_channels = block_width
            layers.append(nn.MaxPool2d(2))
            height, width = height // 2, width // 2
        self.convolutions = nn.Sequential(*layers)
        self.feature_layer = nn.Sequential(
            nn.Flatten(), nn.Linear(in_channels * height * width, config.feature_dim),
            nn.BatchNorm1d(config.feature_dim), make_activation())
        self.classifier = nn.Sequential(nn.Dropout(config.dropout),
                                        nn.Linear(config.feature_dim, num_classes))

    def features(self, images):
        """Output of the fully connected feature layer."""
        return self.feature_layer(self.convolutions(self.normalize(images)))

    def classify(self, features):
        return self.classifier(features)


@register_model("convnet", ConvNetConfig)
def build_convnet(config: ConvNetConfig, input_shape, num_classes) -> ConvNet:
    return ConvNet(config, input_shape, num_classes)
