"""The mnist-svhn study: assignment 000, a CNN on MNIST and SVHN with a hyperparameter study,
evaluation, UMAP embeddings, cross-dataset tests and class imbalance."""

from __future__ import annotations

from ...analysis import results
from ...data.splits import load_splits
from ...training.runs import MadeRuns, Obtain, obtain_each
from ..registry import Study, register_study
from .experiments import final_request, run_study
from .imbalance import case_numbers, imbalance_request
from .params import MnistSvhnParams

FINAL_RUN_READERS = frozenset({"q2_training", "q3_evaluation", "q4_embedding", "q5_imbalance",
                               "q5_comparison", "q6_summary"})
IMBALANCE_READERS = frozenset({"q5_imbalance", "q5_comparison", "q6_summary"})


def make_runs(params: MnistSvhnParams, notebooks: frozenset[str], obtain: Obtain) -> MadeRuns:
    """Every run the selected chapters read: the study variants of each dataset, then in one
    batch the final runs and the imbalance cases (both reuse the configuration each dataset's
    study chose)."""
    made = MadeRuns()
    finals = bool(notebooks & FINAL_RUN_READERS)
    cases = case_numbers(params) if notebooks & IMBALANCE_READERS else []
    if not finals and not cases:
        return made
    splits = {dataset: load_splits(params, dataset) for dataset in params.data.datasets}
    studies = {dataset: run_study(params, dataset, splits[dataset], obtain) for dataset in splits}
    final_requests = [final_request(params, studies[dataset], splits[dataset])
                      for dataset in splits if finals]
    case_requests = [imbalance_request(params, splits[dataset], case, studies[dataset])
                     for dataset in splits for case in cases]
    runs = obtain_each(obtain, final_requests + case_requests)
    for dataset, final in zip(studies, runs[:len(final_requests)]):
        made.finals[dataset] = final
        made.runs += studies[dataset].runs + [final]
    made.runs += runs[len(final_requests):]
    return made


def headline(params: MnistSvhnParams) -> dict[str, str]:
    """Test accuracy of each dataset's final model (from the evaluation chapter's record)."""
    rows = results.read(params, "evaluation")["summary"]
    return {f"{row['test data']} accuracy": f"{100 * row['accuracy']:.2f}%" for row in rows}


register_study(Study(
    name="mnist-svhn", assignment="000",
    summary="CNN on MNIST and SVHN: hyperparameter study, evaluation, UMAP, cross-dataset, imbalance",
    schema=MnistSvhnParams, make_runs=make_runs, headline=headline))
