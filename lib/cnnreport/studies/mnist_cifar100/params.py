"""Params of the mnist-cifar100 study (assignment 002): a fully connected network and a CNN per
dataset (parts 1 and 2), a ResNet trained from scratch with its ablations (part 3), and the t-SNE
settings.

The study's datasets are `data.datasets`: the first is part 1's, the second parts 2's and 3's. Every
network has three sections: `<network>` (its model), `<network>_train` (how the chosen variant
trains to the end) and `<network>_study` (the variants compared briefly around it, one factor at a
time; validation accuracy picks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

from ...config.sections import EmbeddingConfig, StudyParams, TrainConfig, VariantStudy
from ...models.fcn import FCNConfig
from ...models.layers import LayersConfig
from ...models.resnet import ResNetConfig
from ..variants import variant_problems


@dataclass(frozen=True)
class Network:
    """One network of the study: its section prefix, the part it answers and its name in words."""

    key: str  # params sections <key>, <key>_train, <key>_study
    part: int  # the assignment's part: 1 uses data.datasets[0], 2 and 3 data.datasets[1]
    title: str  # e.g. "fully connected network"
    expected: float  # test accuracy the assignment expects
    target: float  # this project's target (above the assignment's)

    @property
    def sections(self) -> tuple[str, str]:
        return self.key, f"{self.key}_train"

    @property
    def study_key(self) -> str:
        return f"{self.key}_study"

    @property
    def dataset_index(self) -> int:
        return 0 if self.part == 1 else 1


NETWORKS = {network.key: network for network in (
    Network("p1_fcn", 1, "fully connected network", expected=0.90, target=0.98),
    Network("p1_cnn", 1, "convolutional network", expected=0.98, target=0.994),
    Network("p2_fcn", 2, "fully connected network", expected=0.30, target=0.30),
    Network("p2_cnn", 2, "convolutional network", expected=0.40, target=0.50),
    Network("p3_resnet", 3, "ResNet", expected=0.60, target=0.70),
)}


@dataclass(frozen=True)
class MnistCifarParams(StudyParams):
    p1_fcn: FCNConfig = field(default_factory=FCNConfig)
    p1_fcn_train: TrainConfig = field(default_factory=TrainConfig)
    p1_fcn_study: VariantStudy = field(default_factory=VariantStudy)
    p1_cnn: LayersConfig = field(default_factory=LayersConfig)
    p1_cnn_train: TrainConfig = field(default_factory=TrainConfig)
    p1_cnn_study: VariantStudy = field(default_factory=VariantStudy)
    p2_fcn: FCNConfig = field(default_factory=FCNConfig)
    p2_fcn_train: TrainConfig = field(default_factory=TrainConfig)
    p2_fcn_study: VariantStudy = field(default_factory=VariantStudy)
    p2_cnn: LayersConfig = field(default_factory=LayersConfig)
    p2_cnn_train: TrainConfig = field(default_factory=TrainConfig)
    p2_cnn_study: VariantStudy = field(default_factory=VariantStudy)
    p3_resnet: ResNetConfig = field(default_factory=ResNetConfig)
    p3_resnet_train: TrainConfig = field(default_factory=TrainConfig)
    p3_resnet_study: VariantStudy = field(default_factory=VariantStudy)
    embedding: EmbeddingConfig = field(default_factory=lambda: EmbeddingConfig(method="tsne"))
    gallery_images: int = 10  # "k of 10 correct": random test images per gallery
    gallery_seed: Optional[int] = None  # None: a fresh draw on every execution

    def problems(self) -> Iterator[str]:
        yield from super().problems()
        if len(self.data.datasets) != 2:
            yield (f"data.datasets must name two datasets (part 1's, then parts 2 and 3's), got "
                   f"{list(self.data.datasets)}")
        if self.gallery_images <= 0:
            yield f"gallery_images must be positive, got {self.gallery_images}"
        for network in NETWORKS.values():
            yield from variant_problems(self, network.study_key, network.sections)
