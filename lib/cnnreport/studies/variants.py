"""One factor at a time around a baseline: variants from params overrides, their runs, the choice.

Every study that compares settings does it the same way: each variant overrides a few keys of the
baseline sections, trains briefly, and the variant with the highest validation accuracy (never a
test number) is the one trained to the end.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Callable, Iterator

import numpy as np

from ..config.typed_yaml import ConfigError, with_overrides
from ..data.splits import DatasetSplits, stratified_subset
from ..training.engine import TrainingData
from ..training.runs import Obtain, Run, RunRequest, RunSpec, obtain_each


NAME_KEY = "name"  # a variant may name itself where its values are too long to read as a name


def variant_name(overrides: dict) -> str:
    """`baseline`, the variant's own `name`, or `key=value, ...` without the section prefixes."""
    if NAME_KEY in overrides:
        return str(overrides[NAME_KEY])
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


def compare_variants(params, splits: DatasetSplits, label: str, sections: tuple[str, str],
                     study_key: str, model_config: Callable, obtain: Obtain) -> VariantRuns:
    """Every variant of `params.<study_key>` (epochs and training subset from that section),
    trained briefly. `sections` names the model and training sections the variants override;
    `model_config` turns the (varied) model section into a registered model config."""
    model_section, train_section = sections
    study = getattr(params, study_key)
    data, subset = training_data(splits, study.max_train_images, params.seed)
    names, overrides, requests = [], [], []
    for variant in study.variants:
        name = variant_name(variant)
        train = dataclasses.replace(with_variant(params, variant, train_section), epochs=study.epochs)
        spec = RunSpec(f"{label}-{variant_slug(name)}", splits.name,
                       model_config(with_variant(params, variant, model_section)), train,
                       params.seed, splits.definition(params), subset)
        names.append(name)
        overrides.append(dict(variant))
        requests.append((spec, data))
    return VariantRuns(names, overrides, obtain_each(obtain, requests))


def chosen_request(params, splits: DatasetSplits, label: str, chosen: dict,
                   sections: tuple[str, str], model_config: Callable) -> RunRequest:
    """The chosen variant trained for its training section's full epochs on all training images."""
    model_section, train_section = sections
    spec = RunSpec(label, splits.name, model_config(with_variant(params, chosen, model_section)),
                   with_variant(params, chosen, train_section), params.seed,
                   splits.definition(params))
    return spec, TrainingData(splits.train, splits.val, splits.test)


def train_chosen(params, splits: DatasetSplits, label: str, chosen: dict, sections: tuple[str, str],
                 model_config: Callable, obtain: Obtain) -> Run:
    return obtain(*chosen_request(params, splits, label, chosen, sections, model_config))


def variant_problems(params, study_key: str, sections: tuple[str, ...]) -> Iterator[str]:
    """Each variant may override keys of the named sections only, with values of the right type."""
    for index, variant in enumerate(getattr(params, study_key).variants):
        key = f"{study_key}.variants[{index}]"
        if not isinstance(variant, dict):
            yield f"{key} must be a mapping of overrides, got {variant!r}"
            continue
        for dotted, value in variant.items():
            if dotted == NAME_KEY:
                continue
            section, _, name = str(dotted).partition(".")
            if section not in sections or not name:
                yield f"{key}: override {dotted!r} must start with " + " or ".join(
                    f"'{s}.'" for s in sections)
                continue
            try:
                with_overrides(getattr(params, section), {name: value}, section, key)
            except ConfigError as error:
                yield str(error)
