"""Class-imbalance study (Q5): classes 1 and 2 only, three training distributions per dataset.

Training subsets are drawn from the 70% training split with the seed (case 1: 50 images of class 1
and 1000 of class 2; case 2: 500 and 1000; case 3: all of both). Validation and test are restricted
to the same two classes, and predictions are the argmax over those two classes. The architecture and
training configuration are the ones chosen in Q2 for that dataset, trained for `train.epochs`.
Each case is evaluated on both datasets' test splits (classes 1 and 2) and projected with UMAP.
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from . import results
from .analysis import Evaluation, evaluate
from .config import DATASETS, ConfigError, Params
from .data import DISPLAY_NAMES
from .embedding import cluster_scores, embedding_points, umap_2d
from .experiments import configs_for, run_study
from .inference import features, load_model
from .runs import Run, RunSpec, train_or_load
from .splits import class_subset, load_splits, restrict_to_classes
from .train import TrainingData


def case_counts(params: Params, case: int) -> dict[int, int | None]:
    cases = {int(key): value for key, value in params.imbalance.cases.items()}
    if case not in cases:
        raise ValueError(f"unknown imbalance case {case}; choose one of: {sorted(cases)}")
    return {int(label): count for label, count in cases[case].items()}


def describe_case(params: Params, case: int) -> str:
    """'50 images of class 1 and 1000 of class 2' (or 'all')."""
    parts = [f"{'all' if count is None else f'{count:,}'} images of class {label}"
             for label, count in case_counts(params, case).items()]
    return " and ".join(parts)


def imbalance_run(params: Params, dataset: str, case: int) -> tuple[Run, dict[int, int]]:
    """The case's run and the number of training images it used per class."""
    splits = load_splits(params, dataset)
    classes = tuple(params.imbalance.classes)
    counts = case_counts(params, case)
    try:
        chosen = class_subset(splits.train.labels.numpy(), counts, params.seed)
    except ValueError as error:
        raise ConfigError(f"imbalance.cases.{case}: {error} in the {dataset} training split "
                          f"({len(splits.train):,} images)") from None
    data = TrainingData(splits.train.take(chosen), restrict_to_classes(splits.val, classes),
                        restrict_to_classes(splits.test, classes), classes)
    model_config, train_config = configs_for(params, run_study(params, dataset, splits).chosen.overrides)
    train_config = dataclasses.replace(train_config, max_train_images=None)
    key = "classes-" + "-".join(f"{label}:{count or 'all'}" for label, count in counts.items())
    spec = RunSpec(f"imbalance-{dataset}-case{case}", dataset, model_config, train_config,
                   params.seed, splits.definition(params), key, classes)
    train_labels = data.train.labels.numpy()
    return train_or_load(spec, data), {c: int((train_labels == c).sum()) for c in classes}


@dataclasses.dataclass
class CaseResult:
    dataset: str  # training dataset
    case: int
    run: Run
    train_counts: dict[int, int]
    evaluations: dict[str, Evaluation]  # by test dataset
    embeddings: dict[str, dict]  # by test dataset: coordinates, labels, scores


def case_result(params: Params, dataset: str, case: int) -> CaseResult:
    """Train (or load) one case and evaluate it on both datasets' class-1/2 test images."""
    run, train_counts = imbalance_run(params, dataset, case)
    classes = tuple(params.imbalance.classes)
    loaded = load_model(run.model_file)
    evaluations, embeddings = {}, {}
    for test_dataset in DATASETS:
        test = restrict_to_classes(load_splits(params, test_dataset).test, classes)
        evaluations[test_dataset] = evaluate(loaded, test, f"{DISPLAY_NAMES[dataset]} case {case}",
                                             f"{DISPLAY_NAMES[test_dataset]} test (1, 2)", classes)
        positions = embedding_points(test.labels.numpy(), params.embedding, params.seed)
        subset = test.take(positions)
        coordinates = umap_2d(features(loaded.model, subset.images).numpy(), params.embedding,
                              params.seed)
        labels = subset.labels.numpy()
        embeddings[test_dataset] = {"coordinates": coordinates, "labels": labels,
                                    "scores": cluster_scores(coordinates, labels, params.seed)}
    result = CaseResult(dataset, case, run, train_counts, evaluations, embeddings)
    _record(result)
    return result


def metrics_rows(result: CaseResult) -> list[dict]:
    """One row per test dataset: accuracy, per-class and macro precision/recall, cluster scores."""
    rows = []
    for test_dataset, evaluation in result.evaluations.items():
        metrics = evaluation.metrics
        row = {"trained on": DISPLAY_NAMES[result.dataset], "case": result.case,
               "train images (1 / 2)": " / ".join(str(n) for n in result.train_counts.values()),
               "test data": DISPLAY_NAMES[test_dataset], "accuracy": metrics["accuracy"]}
        for label, scores in metrics["per_class"].items():
            row[f"precision {label}"] = scores["precision"]
            row[f"recall {label}"] = scores["recall"]
        row.update({"macro precision": metrics["precision"], "macro recall": metrics["recall"],
                    **result.embeddings[test_dataset]["scores"]})
        rows.append(row)
    return rows


def comparison_table(results: list[CaseResult]) -> pd.DataFrame:
    return pd.DataFrame([row for result in results for row in metrics_rows(result)])


def _record(result: CaseResult) -> None:
    """The case's numbers and run, for the summary and the submission package."""
    results.record(f"imbalance-{result.dataset}-case{result.case}",
                   {"run_id": result.run.run_id, "run_folder": str(result.run.folder),
                    "model_file": str(result.run.model_file), "rows": metrics_rows(result)})
