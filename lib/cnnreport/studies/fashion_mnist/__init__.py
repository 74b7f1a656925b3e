"""The fashion-mnist study: assignment 001, an MLP written from scratch in NumPy, a 5-convolution
CNN with its ablations, and the CNN's features classified by the scratch MLP."""

from __future__ import annotations

from ...analysis import results
from ...training.runs import MadeRuns, Obtain
from ..registry import Study, register_study
from .experiments import cnn_final, cnn_study, feature_head, mlp_final, mlp_study
from .params import FashionParams

MLP_READERS = frozenset({"q2_mlp", "q3_features", "q4_report"})
CNN_READERS = frozenset({"q3_cnn", "q3_features", "q4_report"})
HEAD_READERS = frozenset({"q3_features", "q4_report"})


def make_runs(params: FashionParams, notebooks: frozenset[str], obtain: Obtain) -> MadeRuns:
    """The MLP comparison and final MLP, the CNN ablations and final CNN, then the features head."""
    made = MadeRuns()
    if notebooks & MLP_READERS:
        mlps = mlp_study(params, obtain)
        made.finals["mlp"] = mlp_final(params, mlps, obtain)
        made.runs += mlps.runs + [made.finals["mlp"]]
    if notebooks & CNN_READERS:
        cnns = cnn_study(params, obtain)
        made.finals["cnn"] = cnn_final(params, cnns, obtain)
        made.runs += cnns.runs + [made.finals["cnn"]]
    if notebooks & HEAD_READERS:
        made.finals["cnn-features-mlp"] = feature_head(params, made.finals["cnn"], mlps, obtain)
        made.runs.append(made.finals["cnn-features-mlp"])
    return made


register_study(Study(
    name="fashion-mnist", assignment="001",
    summary="An MLP from scratch in NumPy, 5-convolution CNN ablations, CNN features into the MLP",
    schema=FashionParams, make_runs=make_runs, headline=results.finals_headline))
