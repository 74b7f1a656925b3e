"""Which runs the mnist-svhn report needs, derived from params: the hyperparameter study and the
final runs, per dataset.

Q2(b): every study variant (one factor changed around the baseline in `train`/`model`) trains for
`study.epochs`; the variant with the highest validation accuracy, and only it, is trained for
`train.epochs`. Test metrics are recorded but never used to choose. Each function takes `obtain`:
`make_run` in the build (trains what is missing), `find_run` in chapters (only reads).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ...data.splits import DatasetSplits, load_splits
from ...training.runs import Obtain, Run, RunRequest, RunSpec, find_run, obtain_each
from ..variants import training_data, variant_name, variant_slug, with_variant
from .params import MnistSvhnParams


@dataclass(frozen=True)
class StudyVariant:
    name: str
    overrides: dict


@dataclass
class StudyResult:
    dataset: str
    variants: list[StudyVariant]
    runs: list[Run]
    chosen: StudyVariant

    def table(self) -> pd.DataFrame:
        """One row per variant: settings, best validation accuracy and loss, training time."""
        rows = []
        for variant, run in zip(self.variants, self.runs):
            best = run.best
            rows.append({"variant": variant.name, "optimizer": run.spec.train.optimizer,
                         "learning rate": run.spec.train.learning_rate,
                         "batch size": run.spec.train.batch_size,
                         "activation": run.spec.model.activation,
                         "best val accuracy": best["val"]["accuracy"],
                         "val loss": best["val"]["loss"], "best epoch": best["epoch"],
                         "train seconds": run.training_seconds(),
                         "chosen": "yes" if variant == self.chosen else ""})
        return pd.DataFrame(rows)

    def validation_curves(self) -> dict[str, list[float]]:
        return {variant.name: [record["val"]["accuracy"] for record in run.history]
                for variant, run in zip(self.variants, self.runs)}


def study_variants(params: MnistSvhnParams) -> list[StudyVariant]:
    return [StudyVariant(variant_name(overrides), dict(overrides))
            for overrides in params.study.variants]


def configs_for(params: MnistSvhnParams, overrides: dict):
    """The baseline `model` and `train` sections with a variant's dotted overrides applied."""
    return with_variant(params, overrides, "model"), with_variant(params, overrides, "train")


def run_study(params: MnistSvhnParams, dataset: str, splits: DatasetSplits | None = None,
              obtain: Obtain = find_run) -> StudyResult:
    splits = splits or load_splits(params, dataset)
    data, subset_key = training_data(splits, params.study.max_train_images, params.seed)
    variants = study_variants(params)
    requests = []
    for variant in variants:
        model_config, train_config = configs_for(params, variant.overrides)
        train_config = dataclasses.replace(train_config, epochs=params.study.epochs,
                                           max_train_images=params.study.max_train_images)
        spec = RunSpec(f"study-{dataset}-{variant_slug(variant.name)}", dataset, model_config,
                       train_config, params.seed, splits.definition(params), subset_key)
        requests.append((spec, data))
    runs = obtain_each(obtain, requests)
    scores = [run.best["val"]["accuracy"] for run in runs]
    return StudyResult(dataset, variants, runs, variants[int(np.argmax(scores))])


def final_run(params: MnistSvhnParams, dataset: str, study: StudyResult | None = None,
              splits: DatasetSplits | None = None, obtain: Obtain = find_run) -> Run:
    """The chosen configuration trained for `train.epochs` (cached like every run)."""
    splits = splits or load_splits(params, dataset)
    return obtain(*final_request(params, study or run_study(params, dataset, splits, obtain), splits))


def final_request(params: MnistSvhnParams, study: StudyResult, splits: DatasetSplits) -> RunRequest:
    model_config, train_config = configs_for(params, study.chosen.overrides)
    data, subset_key = training_data(splits, train_config.max_train_images, params.seed)
    return RunSpec(f"{study.dataset}-final", study.dataset, model_config, train_config, params.seed,
                   splits.definition(params), subset_key), data


def study_findings(study: StudyResult) -> list[str]:
    """One sentence per studied factor: each value tried and its best validation accuracy."""
    table = study.table().set_index("variant")
    baseline = table.loc["baseline", "best val accuracy"] if "baseline" in table.index else None
    factors: dict[str, list[tuple[str, float]]] = {}
    for variant in study.variants:
        for key, value in variant.overrides.items():
            factors.setdefault(key.split(".", 1)[1], []).append(
                (f"{value}", table.loc[variant.name, "best val accuracy"]))
    lines = []
    baseline_values = {}
    if baseline is not None:
        spec = study.runs[[v.name for v in study.variants].index("baseline")].spec
        baseline_values = {"optimizer": spec.train.optimizer, "learning_rate": spec.train.learning_rate,
                           "batch_size": spec.train.batch_size, "activation": spec.model.activation}
    for factor, tried in factors.items():
        if factor in baseline_values:
            tried = [(f"{baseline_values[factor]} (baseline)", baseline)] + tried
        best_value, best_score = max(tried, key=lambda item: item[1])
        listed = ", ".join(f"{value}: {100 * score:.2f}%" for value, score in tried)
        lines.append(f"**{factor.replace('_', ' ')}**: {listed}; best {best_value}.")
    return lines
