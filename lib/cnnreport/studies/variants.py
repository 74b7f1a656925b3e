"""One factor at a time around a baseline: variants from params overrides, their runs, the choice.

Every study that compares settings does it the same way: each variant overrides a few keys of the
baseline sections, trains briefly, and the variant with the highest validation accuracy (never a
test number) is the one trained to the end.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config.typed_yaml import with_overrides
from ..data.splits import DatasetSplits, stratified_subset
from ..training.engine import TrainingData
from ..training.runs import Run


def variant_name(overrides: dict) -> str:
    """`baseline`, or `key=value, ...` without the section prefixes."""
    if not overrides:
        return "baseline"
    return ", ".join(f"{key.split('.', 1)[1]}={value}" for key, value in overrides.items())


def variant_slug(name: str) -> str:
    """A variant name fit for a run label: `optimizer=sgd, learning_rate=0.05` ->
    `optimizer-sgd-learning_rate-0p05`."""
    return (name.replace(", ", "-").replace("=", "-").replace(".", "p").replace("[", "")
            .replace("]", "").replace(" ", ""))


def with_variant(params, overrides: dict, section: str):
    """The params section `section` with the variant's `section.*` overrides applied."""
    own = {key.split(".", 1)[1]: value for key, value in overrides.items()
           if key.split(".", 1)[0] == section}
    return with_overrides(getattr(params, section), own, section)


def training_data(splits: DatasetSplits, max_train_images: int | None, seed: int,
                  classes: tuple[int, ...] = ()) -> tuple[TrainingData, str]:
    """Splits as TrainingData, the train split capped (stratified) when asked; and a subset key."""
    if max_train_images is None or max_train_images >= len(splits.train):
        return TrainingData(splits.train, splits.val, splits.test, classes), "all"
    chosen = stratified_subset(splits.train.labels.numpy(), max_train_images, seed)
    return (TrainingData(splits.train.take(chosen), splits.val, splits.test, classes),
            f"stratified-{max_train_images}")


@dataclass
class VariantRuns:
    """The variants of one comparison, their runs and the one chosen by validation accuracy."""

    names: list[str]
    overrides: list[dict]
    runs: list[Run]

    @property
    def chosen_index(self) -> int:
        return int(np.argmax([run.best["val"]["accuracy"] for run in self.runs]))

    @property
    def chosen_name(self) -> str:
        return self.names[self.chosen_index]

    @property
    def chosen_overrides(self) -> dict:
        return self.overrides[self.chosen_index]

    def names_changing(self, *keys: str) -> list[str]:
        """The variants that override any of `keys` (`cnn.kernel`), in params order, so a report
        groups its comparisons by factor without naming values."""
        return [name for name, overrides in zip(self.names, self.overrides)
                if set(overrides) & set(keys)]

    def validation_curves(self) -> dict[str, list[float]]:
        return {name: [record["val"]["accuracy"] for record in run.history]
                for name, run in zip(self.names, self.runs)}
