"""The runs of the mnist-cifar100 study, derived from params: for each network (part 1's fully
connected network and CNN, part 2's, part 3's ResNet) its variants, compared briefly, and the
variant chosen by validation accuracy trained to the end. Each function takes `obtain`: `make_run`
in the build, `find_run` in chapters."""

from __future__ import annotations

from dataclasses import dataclass

from ...data.splits import DatasetSplits, load_splits
from ...training.runs import Obtain, Run, find_run
from ..variants import VariantRuns, compare_variants, train_chosen
from .params import NETWORKS, MnistCifarParams, Network


def network_splits(params: MnistCifarParams, key: str) -> DatasetSplits:
    """The splits of the dataset network `key` (e.g. "p1_fcn") is trained on."""
    return load_splits(params, params.data.datasets[NETWORKS[key].dataset_index])


@dataclass
class NetworkRuns:
    """One network's comparison and its chosen variant trained to the end."""

    network: Network
    study: VariantRuns
    final: Run

    @property
    def runs(self) -> list[Run]:
        return self.study.runs + [self.final]


def network_runs(params: MnistCifarParams, key: str, obtain: Obtain = find_run) -> NetworkRuns:
    """The comparison of network `key` (e.g. "p2_cnn") and its final run."""
    network = NETWORKS[key]
    splits = network_splits(params, key)
    label = key.replace("_", "-")
    study = compare_variants(params, splits, label, network.sections, network.study_key,
                             lambda config: config, obtain)
    final = train_chosen(params, splits, f"{label}-final", study.chosen_overrides,
                         network.sections, lambda config: config, obtain)
    return NetworkRuns(network, study, final)
