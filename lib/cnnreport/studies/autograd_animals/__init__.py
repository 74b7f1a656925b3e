"""The autograd-animals study: assignment 003, gradients of a small graph by hand against autograd,
the delta rule of a sigmoid unit, and a cats/dogs/pandas CNN from scratch on real photos with
one-hot labels, augmentations written on tensors, Grad-CAM and an alternative loss."""

from __future__ import annotations

from ...analysis import results
from ...training.runs import MadeRuns, Obtain
from ..registry import Study, register_study
from .experiments import classifier_runs
from .params import AnimalsParams

CLASSIFIER_READERS = frozenset({"q3_classifier"})


def make_runs(params: AnimalsParams, notebooks: frozenset[str], obtain: Obtain) -> MadeRuns:
    """Question 3's tuning runs, the chosen network under each loss, and the one validation keeps."""
    made = MadeRuns()
    if notebooks & CLASSIFIER_READERS:
        runs = classifier_runs(params, obtain)
        made.runs += runs.runs
        made.finals["cnn"] = runs.final
    return made


register_study(Study(
    name="autograd-animals", assignment="003",
    summary="Gradients by hand against autograd, the delta rule, a cats/dogs/pandas CNN from scratch",
    schema=AnimalsParams, make_runs=make_runs, headline=results.finals_headline))
