"""Class-imbalance study (Q5): two classes only, three training distributions per dataset.

Training subsets are drawn from the 70% training split with the seed (case 1: 50 images of class 1
and 1000 of class 2; case 2: 500 and 1000; case 3: all of both). Validation and test are restricted
to the same two classes, and predictions are the argmax over those two classes. The architecture and
training configuration are the ones chosen in Q2 for that dataset, trained for `train.epochs`.
Each case is evaluated on every dataset's test split (the same two classes) and projected with UMAP.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from ...analysis import results
from ...analysis.embedding import Projection, project
from ...analysis.evaluation import Evaluation, evaluate
from ...analysis.inference import load_model
from ...config.typed_yaml import ConfigError
from ...data.registry import display_name
from ...data.splits import DatasetSplits, class_subset, load_splits, restrict_to_classes
from ...training.engine import TrainingData
from ...training.runs import Obtain, Run, RunRequest, RunSpec, find_run
from .experiments import StudyResult, configs_for, run_study
from .params import MnistSvhnParams


def case_numbers(params: MnistSvhnParams) -> list[int]:
    return sorted(int(case) for case in params.imbalance.cases)


def case_counts(params: MnistSvhnParams, case: int) -> dict[int, int | None]:
    cases = {int(key): value for key, value in params.imbalance.cases.items()}
    if case not in cases:
        raise ValueError(f"unknown imbalance case {case}; choose one of: {sorted(cases)}")
    return {int(label): count for label, count in cases[case].items()}


def describe_case(params: MnistSvhnParams, case: int) -> str:
    """'50 images of class 1 and 1000 of class 2' (or 'all')."""
    parts = [f"{'all' if count is None else f'{count:,}'} images of class {label}"
             for label, count in case_counts(params, case).items()]
    return " and ".join(parts)


def imbalance_run(params: MnistSvhnParams, dataset: str, case: int,
                  obtain: Obtain = find_run) -> tuple[Run, dict[int, int]]:
    """The case's run and the number of training images it used per class."""
    splits = load_splits(params, dataset)
    spec, data = imbalance_request(params, splits, case, run_study(params, dataset, splits, obtain))
    train_labels = data.train.labels.numpy()
    return obtain(spec, data), {c: int((train_labels == c).sum()) for c in data.classes}


def imbalance_request(params: MnistSvhnParams, splits: DatasetSplits, case: int,
                      study: StudyResult) -> RunRequest:
    """The case's run: the configuration the dataset's study chose, on the case's images."""
    dataset = splits.name
    classes = tuple(params.imbalance.classes)
    counts = case_counts(params, case)
    try:
        chosen = class_subset(splits.train.labels.numpy(), counts, params.seed)
    except ValueError as error:
        raise ConfigError(f"imbalance.cases.{case}: {error} in the {dataset} training split "
                          f"({len(splits.train):,} images)") from None
    data = TrainingData(splits.train.take(chosen), restrict_to_classes(splits.val, classes),
                        restrict_to_classes(splits.test, classes), classes)
    model_config, train_config = configs_for(params, study.chosen.overrides)
    train_config = dataclasses.replace(train_config, max_train_images=None)
    key = "classes-" + "-".join(f"{label}:{count or 'all'}" for label, count in counts.items())
    spec = RunSpec(f"imbalance-{dataset}-case{case}", dataset, model_config, train_config,
                   params.seed, splits.definition(params), key, classes)
    return spec, data


@dataclasses.dataclass
class CaseResult:
    dataset: str  # training dataset
    case: int
    run: Run
    train_counts: dict[int, int]
    evaluations: dict[str, Evaluation]  # by test dataset
    embeddings: dict[str, Projection]  # by test dataset


def case_result(params: MnistSvhnParams, dataset: str, case: int) -> CaseResult:
    """Find one case's run and evaluate it on every dataset's test images of the two classes."""
    run, train_counts = imbalance_run(params, dataset, case)
    classes = tuple(params.imbalance.classes)
    loaded = load_model(run.model_file)
    evaluations, embeddings = {}, {}
    for test_dataset in params.data.datasets:
        test = restrict_to_classes(load_splits(params, test_dataset).test, classes)
        evaluations[test_dataset] = evaluate(loaded, test, f"{display_name(dataset)} case {case}",
                                             f"{display_name(test_dataset)} test (1, 2)", classes)
        embeddings[test_dataset] = project(loaded, test, params.embedding, params.seed)
    result = CaseResult(dataset, case, run, train_counts, evaluations, embeddings)
    _record(params, result)
    return result


def metrics_rows(result: CaseResult) -> list[dict]:
    """One row per test dataset: accuracy, per-class and macro precision/recall, cluster scores."""
    rows = []
    for test_dataset, evaluation in result.evaluations.items():
        metrics = evaluation.metrics
        row = {"trained on": display_name(result.dataset), "case": result.case,
               "train images (1 / 2)": " / ".join(str(n) for n in result.train_counts.values()),
               "test data": display_name(test_dataset), "accuracy": metrics["accuracy"]}
        for label, scores in metrics["per_class"].items():
            row[f"precision {label}"] = scores["precision"]
            row[f"recall {label}"] = scores["recall"]
        row.update({"macro precision": metrics["precision"], "macro recall": metrics["recall"],
                    **result.embeddings[test_dataset].scores})
        rows.append(row)
    return rows


def comparison_table(case_results: list[CaseResult]) -> pd.DataFrame:
    return pd.DataFrame([row for result in case_results for row in metrics_rows(result)])


def _record(params: MnistSvhnParams, result: CaseResult) -> None:
    """The case's numbers and run, for the summary and the submission package."""
    results.record(params, f"imbalance-{result.dataset}-case{result.case}",
                   {"run_id": result.run.run_id, "rows": metrics_rows(result)})
