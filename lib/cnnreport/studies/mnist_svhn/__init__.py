"""The mnist-svhn study: assignment 000, a CNN on MNIST and SVHN with a hyperparameter study,
evaluation, UMAP embeddings, cross-dataset tests and class imbalance."""

from __future__ import annotations

from ...analysis import results
from ...data.splits import load_splits
from ...training.runs import MadeRuns, Obtain
from ..registry import Study, register_study
from .experiments import final_run, run_study
from .imbalance import case_numbers, imbalance_run
from .params import MnistSvhnParams

FINAL_RUN_READERS = frozenset({"q2_training", "q3_evaluation", "q4_embedding", "q5_imbalance",
                               "q5_comparison", "q6_summary"})
IMBALANCE_READERS = frozenset({"q5_imbalance", "q5_comparison", "q6_summary"})


def make_runs(params: MnistSvhnParams, notebooks: frozenset[str], obtain: Obtain) -> MadeRuns:
    """Every run the selected chapters read: study variants and final runs per dataset, then the
    imbalance cases (which reuse the configuration each dataset's study chose)."""
    made = MadeRuns()
    if notebooks & FINAL_RUN_READERS:
        for dataset in params.data.datasets:
            splits = load_splits(params, dataset)
            study = run_study(params, dataset, splits, obtain)
            made.finals[dataset] = final_run(params, dataset, study, splits, obtain)
            made.runs += study.runs + [made.finals[dataset]]
    if notebooks & IMBALANCE_READERS:
        for dataset in params.data.datasets:
            for case in case_numbers(params):
                made.runs.append(imbalance_run(params, dataset, case, obtain)[0])
    return made


def headline(params: MnistSvhnParams) -> dict[str, str]:
    """Test accuracy of each dataset's final model (from the evaluation chapter's record)."""
    rows = results.read(params, "evaluation")["summary"]
    return {f"{row['test data']} accuracy": f"{100 * row['accuracy']:.2f}%" for row in rows}


register_study(Study(
    name="mnist-svhn", assignment="000",
    summary="CNN on MNIST and SVHN: hyperparameter study, evaluation, UMAP, cross-dataset, imbalance",
    schema=MnistSvhnParams, make_runs=make_runs, headline=headline))
