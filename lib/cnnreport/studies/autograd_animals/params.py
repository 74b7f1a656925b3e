"""Params of the autograd-animals study (assignment 003): the cats/dogs/pandas CNN of question 3,
its optimizer and learning-rate tuning, the alternative losses trained under the same budget, and
how many images each figure of the report shows. Questions 1 and 2 (derivations) have no settings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

from ...config.sections import StudyParams, TrainConfig, VariantStudy, require_positive
from ...models.layers import LayersConfig
from ..variants import variant_problems

INPUT_SIZES = (64, 128, 256)  # 3(d): the assignment's standard sizes; smaller ones pixelate
LOSS_KEYS = ("loss", "label_smoothing", "focal_gamma")  # what a 3(k) variant may change


@dataclass(frozen=True)
class LossComparison:
    """3(k): the chosen network trained again under the same budget (cnn_train's epochs) with each
    alternative loss; `{}` is cross-entropy. Validation accuracy picks the one the report keeps."""

    variants: tuple[dict, ...] = ({},)  # overrides of cnn_train.loss, label_smoothing, focal_gamma


@dataclass(frozen=True)
class FigureCounts:
    """How many images the figures of question 3 show."""

    first_per_class: int = 5  # 3(a): the first images of each split and class
    augmented_copies: int = 7  # 3(d): random augmentations of one training image
    test_per_class: int = 10  # 3(h): the first test images of each class
    misclassified: int = 8  # 3(g): misclassified test images with Grad-CAM
    probability_maps_per_class: int = 3  # 3(j): random test images of each class, softmax bars
    random_seed: Optional[int] = None  # 3(j)'s draw; None: a fresh draw on every execution

    def problems(self) -> Iterator[str]:
        yield from require_positive({key: getattr(self, key) for key in (
            "first_per_class", "augmented_copies", "test_per_class", "misclassified",
            "probability_maps_per_class")})


@dataclass(frozen=True)
class AnimalsParams(StudyParams):
    cnn: LayersConfig = field(default_factory=LayersConfig)
    cnn_train: TrainConfig = field(default_factory=TrainConfig)
    cnn_study: VariantStudy = field(default_factory=VariantStudy)  # 3(f): optimizer, learning rate
    losses: LossComparison = field(default_factory=LossComparison)  # 3(k)
    figures: FigureCounts = field(default_factory=FigureCounts)

    def problems(self) -> Iterator[str]:
        yield from super().problems()
        if len(self.data.datasets) != 1:
            yield f"data.datasets must name one image folder, got {list(self.data.datasets)}"
        if self.data.image_size not in INPUT_SIZES:
            yield (f"data.image_size must be one of {', '.join(map(str, INPUT_SIZES))} (the "
                   f"assignment's input sizes), got {self.data.image_size}")
        if not self.data.split.per_class:
            yield "data.split.per_class must be true: 3(a) splits each class separately"
        if self.cnn_train.targets != "one-hot":
            yield "cnn_train.targets must be one-hot: 3(b) hands the loss one-hot label vectors"
        yield from variant_problems(self, "cnn_study", ("cnn", "cnn_train"))
        yield from self._loss_problems()

    def _loss_problems(self) -> Iterator[str]:
        for index, variant in enumerate(self.losses.variants):
            key = f"losses.variants[{index}]"
            if not isinstance(variant, dict):
                yield f"{key} must be a mapping of overrides, got {variant!r}"
                continue
            allowed = {"name"} | {f"cnn_train.{name}" for name in LOSS_KEYS}
            for dotted in variant:
                if dotted not in allowed:
                    yield (f"{key}: override {dotted!r} is not a loss setting; choose from "
                           f"{', '.join(sorted(allowed))}")
        yield from variant_problems(self, "losses", ("cnn_train",))
