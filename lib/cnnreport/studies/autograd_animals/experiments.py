"""The runs of question 3, derived from params: the optimizer and learning-rate variants (short
runs, 3(f)), then the variant chosen by validation accuracy trained to the end under each loss of
3(k); the loss with the best validation accuracy gives the model the rest of the report reads.
Each function takes `obtain`: `make_run` in the build, `find_run` in chapters."""

from __future__ import annotations

from dataclasses import dataclass

from ...data.splits import DatasetSplits, load_splits
from ...training.runs import Obtain, Run, find_run, obtain_each
from ..variants import VariantRuns, chosen_request, compare_variants, variant_name, variant_slug
from .params import AnimalsParams

SECTIONS = ("cnn", "cnn_train")


def study_splits(params: AnimalsParams) -> DatasetSplits:
    return load_splits(params, params.data.datasets[0])


@dataclass
class ClassifierRuns:
    """3(f)'s tuning, 3(k)'s losses (each the chosen settings trained to the end) and the pick."""

    tuning: VariantRuns
    losses: VariantRuns

    @property
    def final(self) -> Run:
        return self.losses.runs[self.losses.chosen_index]

    @property
    def runs(self) -> list[Run]:
        return self.tuning.runs + self.losses.runs


def classifier_runs(params: AnimalsParams, obtain: Obtain = find_run) -> ClassifierRuns:
    splits = study_splits(params)
    tuning = compare_variants(params, splits, "cnn", SECTIONS, "cnn_study", lambda config: config,
                              obtain)
    names, overrides, requests = [], [], []
    for variant in params.losses.variants:
        loss_overrides = {key: value for key, value in variant.items() if key != "name"}
        chosen = {**tuning.chosen_overrides, **loss_overrides}
        label = "cnn-final" + (f"-{variant_slug(variant_name(variant))}" if loss_overrides else "")
        names.append(variant_name(variant))
        overrides.append(chosen)
        requests.append(chosen_request(params, splits, label, chosen, SECTIONS,
                                       lambda config: config))
    return ClassifierRuns(tuning, VariantRuns(names, overrides, obtain_each(obtain, requests)))
