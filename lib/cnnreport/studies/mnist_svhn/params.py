"""Params of the mnist-svhn study (assignment 000): the CNN, its hyperparameter study, class
imbalance, embeddings and the demo, on top of the sections every study shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator, Optional

from ...config.sections import EmbeddingConfig, StudyParams, TrainConfig, require_positive
from ...config.typed_yaml import ConfigError, with_overrides
from ...models.convnet import ConvNetConfig


@dataclass(frozen=True)
class StudyConfig:
    """Q2(b): variants of the baseline, one factor at a time, trained briefly and compared."""

    epochs: int = 5  # epochs per variant of the hyperparameter study
    max_train_images: Optional[int] = None
    variants: tuple[dict, ...] = ({},)  # overrides of train.* / model.* keys; {} is the baseline

    def problems(self) -> Iterator[str]:
        yield from require_positive({"epochs": self.epochs, "max_train_images": self.max_train_images})


@dataclass(frozen=True)
class ImbalanceConfig:
    classes: tuple[int, ...] = (1, 2)
    # training images per class for each case; None means every image of that class
    cases: dict = field(default_factory=lambda: {
        1: {1: 50, 2: 1000}, 2: {1: 500, 2: 1000}, 3: {1: None, 2: None}})

    def problems(self) -> Iterator[str]:
        for case, counts in self.cases.items():
            if not isinstance(counts, dict) or sorted(counts) != sorted(self.classes):
                yield (f"cases.{case} must give a count for each of the classes "
                       f"{list(self.classes)}, got {counts!r}")
                continue
            for label, count in counts.items():
                if count is not None and (not isinstance(count, int) or count <= 0):
                    yield (f"cases.{case}.{label} must be a positive integer or null (all images), "
                           f"got {count!r}")


@dataclass(frozen=True)
class DemoConfig:
    images: int = 12

    def problems(self) -> Iterator[str]:
        yield from require_positive({"images": self.images})


@dataclass(frozen=True)
class MnistSvhnParams(StudyParams):
    model: ConvNetConfig = field(default_factory=ConvNetConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    study: StudyConfig = field(default_factory=StudyConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    imbalance: ImbalanceConfig = field(default_factory=ImbalanceConfig)
    demo: DemoConfig = field(default_factory=DemoConfig)

    def problems(self) -> Iterator[str]:
        yield from super().problems()
        for index, variant in enumerate(self.study.variants):
            yield from self._variant_problems(variant, f"study.variants[{index}]")

    def _variant_problems(self, variant, key: str) -> Iterator[str]:
        """A study variant may only override train.* or model.* keys, with values of the right type."""
        if not isinstance(variant, dict):
            yield f"{key} must be a mapping of overrides, got {variant!r}"
            return
        sections = {"train": self.train, "model": self.model}
        for dotted, value in variant.items():
            section_name, _, name = str(dotted).partition(".")
            if section_name not in sections or not name:
                yield f"{key}: override {dotted!r} must start with 'train.' or 'model.'"
                continue
            try:
                with_overrides(sections[section_name], {name: value}, section_name, key)
            except ConfigError as error:
                yield str(error)
