"""The CNN, built from scratch with torch.nn: conv-BN-activation blocks with max-pooling, a fully
connected feature layer, and a 10-way classifier whose probabilities come from softmax.

Inputs are the shared 3x32x32 format scaled to [0, 1]; the network normalizes them itself with one
fixed mean and standard deviation, so MNIST and SVHN are treated identically and a saved model needs
nothing but images to predict.
"""

from __future__ import annotations

import torch
from torch import nn

from .config import ModelConfig

NUM_CLASSES = 10
INPUT_MEAN = 0.5  # one normalization for both datasets: [0, 1] -> [-1, 1]
INPUT_STD = 0.5
ACTIVATIONS = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.1), "gelu": nn.GELU,
               "elu": nn.ELU, "silu": nn.SiLU}


class ConvNet(nn.Module):
    """`forward` returns logits (what cross-entropy wants); `probabilities` applies the softmax."""

    def __init__(self, config: ModelConfig, num_classes: int = NUM_CLASSES):
        super().__init__()
        make_activation = ACTIVATIONS[config.activation]
        layers: list[nn.Module] = []
        in_channels = 3
        for width in config.channels:
            for _ in range(config.convs_per_block):
                layers += [nn.Conv2d(in_channels, width, 3, padding=1, bias=False),
                           nn.BatchNorm2d(width), make_activation()]
                in_channels = width
            layers.append(nn.MaxPool2d(2))
        self.convolutions = nn.Sequential(*layers)
        side = 32 // 2 ** len(config.channels)
        self.feature_layer = nn.Sequential(
            nn.Flatten(), nn.Linear(in_channels * side * side, config.feature_dim),
            nn.BatchNorm1d(config.feature_dim), make_activation())
        self.classifier = nn.Sequential(nn.Dropout(config.dropout),
                                        nn.Linear(config.feature_dim, num_classes))
        self.register_buffer("input_mean", torch.tensor(INPUT_MEAN))
        self.register_buffer("input_std", torch.tensor(INPUT_STD))

    def features(self, images: torch.Tensor) -> torch.Tensor:
        """Output of the fully connected feature layer: what Q4 and Q5 project with UMAP."""
        return self.feature_layer(self.convolutions((images - self.input_mean) / self.input_std))

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.features(images))

    def probabilities(self, images: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.forward(images), dim=1)


def architecture_name(config: ModelConfig) -> str:
    """Short architecture tag for file names, e.g. `convnet-c32.64.128x2-f256-relu`."""
    widths = ".".join(str(width) for width in config.channels)
    return f"convnet-c{widths}x{config.convs_per_block}-f{config.feature_dim}-{config.activation}"


def count_parameters(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters())
