"""The mnist-cifar100 study: assignment 002, fully connected networks and CNNs on MNIST (part 1)
and CIFAR-100 (part 2), t-SNE of their features, a loss written without torch.nn, and a ResNet
trained from scratch with its ablations (part 3)."""

from __future__ import annotations

from ...analysis import results
from ...training.runs import MadeRuns, Obtain
from ..registry import Study, register_study
from .experiments import network_runs
from .params import MnistCifarParams

# the networks each chapter reads
READERS = {"part1": ("p1_fcn", "p1_cnn"), "part2": ("p2_fcn", "p2_cnn"), "part3": ("p3_resnet",),
           "summary": ("p1_fcn", "p1_cnn", "p2_fcn", "p2_cnn", "p3_resnet")}


def make_runs(params: MnistCifarParams, notebooks: frozenset[str], obtain: Obtain) -> MadeRuns:
    """Every network the selected chapters read: its variants, then its chosen one to the end."""
    made = MadeRuns()
    wanted = [key for notebook in sorted(notebooks) for key in READERS.get(notebook, ())]
    for key in dict.fromkeys(wanted):
        runs = network_runs(params, key, obtain)
        made.runs += runs.runs
        made.finals[key] = runs.final
    return made


register_study(Study(
    name="mnist-cifar100", assignment="002",
    summary="FCN and CNN on MNIST and CIFAR-100, t-SNE, a loss without torch.nn, a ResNet from scratch",
    schema=MnistCifarParams, make_runs=make_runs, headline=results.finals_headline))
