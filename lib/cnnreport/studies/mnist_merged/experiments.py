"""The runs of the mnist-merged study: every experiment (original or merged classes) trained once
per seed with the prescribed network, the batch size of the roll-number rule and the assignment's
epochs. Each function takes `obtain`: `make_run` in the build, `find_run` in chapters."""

from __future__ import annotations

from dataclasses import dataclass

from ...data.splits import DatasetSplits, load_splits
from ...training.engine import TrainingData
from ...training.runs import Obtain, Run, RunSpec, find_run, obtain_each
from .params import ExperimentConfig, MnistMergedParams


@dataclass
class ExperimentRuns:
    experiment: ExperimentConfig
    splits: DatasetSplits
    runs: list[Run]  # one per seed, in params order

    @property
    def shown(self) -> Run:
        """The run of the study's seed, shown in detail."""
        return self.runs[0]


def experiment_splits(params: MnistMergedParams, experiment: ExperimentConfig) -> DatasetSplits:
    """The dataset's splits with the experiment's classes (the same images in every experiment)."""
    return load_splits(params, params.data.datasets[0], params.groups(experiment))


def experiment_runs(params: MnistMergedParams, name: str, obtain: Obtain = find_run) -> ExperimentRuns:
    experiment = params.experiment(name)
    splits = experiment_splits(params, experiment)
    data = TrainingData(splits.train, splits.val, splits.test)
    runs = obtain_each(obtain, [(RunSpec(f"{params.study_name}-{experiment.name}-seed{seed}",
                                         splits.name, params.model, params.train_config(), seed,
                                         splits.definition(params)), data)
                                for seed in params.seeds])
    return ExperimentRuns(experiment, splits, runs)
