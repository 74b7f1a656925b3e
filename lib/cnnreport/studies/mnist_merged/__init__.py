"""The mnist-merged study: assignment 004, a prescribed three-convolution network trained on the
ten MNIST digits and on four merged classes, each over several seeds."""

from __future__ import annotations

from ...analysis import results
from ...training.runs import MadeRuns, Obtain
from ..registry import Study, register_study
from .experiments import experiment_runs
from .params import MnistMergedParams

RUN_READERS = frozenset({"results", "merging", "appendix"})


def make_runs(params: MnistMergedParams, notebooks: frozenset[str], obtain: Obtain) -> MadeRuns:
    """Every experiment once per seed; the run of the first seed is each experiment's final model."""
    made = MadeRuns()
    if notebooks & RUN_READERS:
        for experiment in params.experiments:
            runs = experiment_runs(params, experiment.name, obtain)
            made.runs += runs.runs
            made.finals[experiment.name] = runs.shown
    return made


def headline(params: MnistMergedParams) -> dict[str, str]:
    """Test accuracy of each experiment, mean ± std over the seeds (from the results chapters)."""
    numbers = {}
    for experiment in params.experiments:
        spread = results.read(params, f"experiment-{experiment.name}")["seeds"]
        numbers[f"{experiment.name} test accuracy"] = (
            f"{100 * spread['mean']:.2f}% ± {100 * spread['std']:.2f} ({spread['runs']} seeds)")
    return numbers


register_study(Study(
    name="mnist-merged", assignment="004",
    summary="A prescribed 3-convolution CNN on MNIST's 10 digits and on 4 merged classes, 3 seeds",
    schema=MnistMergedParams, make_runs=make_runs, headline=headline))
