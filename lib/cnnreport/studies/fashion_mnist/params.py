"""Params of the fashion-mnist study (assignment 001): the scratch MLP and its hyperparameter study,
the 5-convolution CNN and its ablations, the CNN's features classified by the scratch MLP, and the
group that submits the report."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Literal

from ...config.sections import StudyParams, TrainConfig, VariantStudy, require_positive
from ...models.blocks import InitName
from ...models.layers import ConvLayerConfig, LayersConfig
from ...models.scratch_mlp import ScratchMLPConfig
from ..variants import variant_problems

CONVOLUTIONS = 5  # question 3(a): exactly five


@dataclass(frozen=True)
class CNNDesign:
    """Question 3's backbone by its design choices: five convolutions, each followed by ReLU."""

    kernel: int = 3  # 3(b): 3, 5 or 7
    base_channels: int = 32  # filters of the first convolution
    filters: Literal["same", "double"] = "same"  # 3(b): the same count everywhere, or doubling
    pool: Literal["max", "avg"] = "max"  # 3(a): the downsampling pools
    head: Literal["flatten", "global-average"] = "flatten"  # 3(a): global average pooling at the end
    pool_after: tuple[int, ...] = (1, 2, 4)  # convolutions followed by a 2x2, stride-2 pooling
    init: InitName = "default"  # 3(c): PyTorch's default, normal ("random"), xavier, he
    hidden: tuple[int, ...] = ()  # fully connected layers between the convolutions and the output
    dropout: float = 0.0  # before the output layer
    batch_norm: bool = False  # batch normalization between each convolution and its ReLU

    def channels(self) -> list[int]:
        scale = (lambda index: 2 ** index) if self.filters == "double" else (lambda index: 1)
        return [self.base_channels * scale(index) for index in range(CONVOLUTIONS)]

    def layers_config(self) -> LayersConfig:
        layers = []
        for index, width in enumerate(self.channels(), start=1):
            last = index == CONVOLUTIONS
            pool = ("global-average" if last and self.head == "global-average" else
                    self.pool if index in self.pool_after else "none")
            layers.append(ConvLayerConfig(kernel=self.kernel, channels=width, pool=pool,
                                          pool_kernel=2, pool_stride=2,
                                          batch_norm=self.batch_norm))
        return LayersConfig(layers=tuple(layers), init=self.init, hidden=self.hidden,
                            dropout=self.dropout)

    def description(self) -> str:
        """The design in words, for the report."""
        norm = "batch normalization and " if self.batch_norm else ""
        hidden = "".join(f"a {width}-unit ReLU layer, " for width in self.hidden)
        dropout = f"dropout {self.dropout:g}, " if self.dropout else ""
        inputs = "the global average of each channel" if self.head == "global-average" \
            else "the flattened output"
        return (f"five convolutions ({self.kernel}×{self.kernel}, zero padding keeping the size, "
                f"{'-'.join(map(str, self.channels()))} filters), each followed by {norm}ReLU, "
                f"with 2×2 stride-2 {self.pool} pooling after convolutions "
                f"{', '.join(map(str, self.pool_after))}, then {hidden}{dropout}a linear "
                f"classifier over {inputs}")

    def problems(self) -> Iterator[str]:
        yield from require_positive({"kernel": self.kernel, "base_channels": self.base_channels})
        if self.kernel % 2 == 0:
            yield f"kernel must be odd ('same' padding), got {self.kernel}"
        for index, position in enumerate(self.pool_after):
            if not 1 <= position <= CONVOLUTIONS:
                yield f"pool_after[{index}] must be a convolution from 1 to {CONVOLUTIONS}, got {position}"


@dataclass(frozen=True)
class Member:
    name: str
    email: str = ""
    contribution: float = 0.0  # percent of the work


@dataclass(frozen=True)
class GroupConfig:
    """Who submits the report (the assignment asks for names, e-mails and contribution shares)."""

    name: str = "group"  # also the submission zip's file name
    members: tuple[Member, ...] = ()

    def problems(self) -> Iterator[str]:
        total = sum(member.contribution for member in self.members)
        if self.members and abs(total - 100) > 0.01:
            yield f"members' contributions must add up to 100 (percent), got {total:g}"


@dataclass(frozen=True)
class FashionParams(StudyParams):
    mlp: ScratchMLPConfig = field(default_factory=ScratchMLPConfig)
    mlp_train: TrainConfig = field(default_factory=TrainConfig)
    mlp_study: VariantStudy = field(default_factory=VariantStudy)
    cnn: CNNDesign = field(default_factory=CNNDesign)
    cnn_train: TrainConfig = field(default_factory=TrainConfig)
    cnn_study: VariantStudy = field(default_factory=VariantStudy)
    head_train: TrainConfig = field(default_factory=TrainConfig)  # 3(d): scratch MLP on CNN features
    group: GroupConfig = field(default_factory=GroupConfig)

    def problems(self) -> Iterator[str]:
        yield from super().problems()
        for train_key in ("mlp_train", "head_train"):
            train = getattr(self, train_key)
            if train.optimizer not in ("sgd", "adam"):
                yield f"{train_key}.optimizer: the scratch MLP has sgd and adam, got {train.optimizer!r}"
            if train.schedule not in ("none", "cosine"):
                yield f"{train_key}.schedule: the scratch MLP has none and cosine, got {train.schedule!r}"
            if train.augment_shift or train.augment_flip or train.label_smoothing:
                yield (f"{train_key}: the scratch MLP trains without augment_shift, augment_flip and "
                       f"label_smoothing; set them to 0 and false")
        yield from variant_problems(self, "mlp_study", ("mlp", "mlp_train"))
        yield from variant_problems(self, "cnn_study", ("cnn", "cnn_train"))
