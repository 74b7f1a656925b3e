"""Evaluating saved models on test splits (Q3, Q4(b), Q5): predictions, errors, per-class scores.

Every number here comes from `inference.predict` on a model loaded from its file, so what the report
says is what the saved model does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from .data import ImageSet
from .inference import LoadedModel, predict
from .metrics import ALL_CLASSES, classification_metrics, most_confused_pairs
from .train import restricted_predictions

CONFIDENT = 0.9  # an error made with at least this probability is a "confident" mistake
UNCERTAIN = 0.6  # a prediction below this probability is "uncertain"


@dataclass
class Evaluation:
    """One model on one test split."""

    model_name: str  # e.g. "MNIST model"
    data_name: str  # e.g. "SVHN test"
    images: torch.Tensor  # uint8, CPU
    labels: np.ndarray
    probabilities: np.ndarray  # [N, 10]
    predictions: np.ndarray
    metrics: dict

    @property
    def confidence(self) -> np.ndarray:
        """Probability the model gave to the class it predicted."""
        return self.probabilities[np.arange(len(self.predictions)), self.predictions]

    @property
    def errors(self) -> np.ndarray:
        return np.flatnonzero(self.predictions != self.labels)


def evaluate(loaded: LoadedModel, image_set: ImageSet, model_name: str, data_name: str,
             classes: Sequence[int] = ALL_CLASSES) -> Evaluation:
    probabilities = predict(loaded.model, image_set.images).cpu()
    predictions = restricted_predictions(probabilities, classes).numpy()
    labels = image_set.labels.cpu().numpy()
    return Evaluation(model_name, data_name, image_set.images.cpu(), labels,
                      probabilities.numpy(), predictions,
                      classification_metrics(labels, predictions, classes))


def misclassified_by_class(evaluation: Evaluation, per_class: int) -> dict[int, np.ndarray]:
    """For each true class, up to `per_class` misclassified test positions, most confident first."""
    chosen = {}
    errors = evaluation.errors
    for label in evaluation.metrics["classes"]:
        wrong = errors[evaluation.labels[errors] == label]
        order = np.argsort(-evaluation.confidence[wrong], kind="stable")
        chosen[label] = wrong[order][:per_class]
    return chosen


def error_profile(evaluation: Evaluation) -> dict:
    """How the model errs: counts, and how sure it was when wrong versus when right."""
    errors = evaluation.errors
    correct = np.setdiff1d(np.arange(len(evaluation.labels)), errors)
    confidence = evaluation.confidence
    return {
        "test images": len(evaluation.labels), "errors": len(errors),
        "error rate": len(errors) / max(1, len(evaluation.labels)),
        "mean confidence when wrong": float(confidence[errors].mean()) if len(errors) else float("nan"),
        "mean confidence when right": float(confidence[correct].mean()) if len(correct) else float("nan"),
        f"errors with confidence >= {CONFIDENT}": float((confidence[errors] >= CONFIDENT).mean())
        if len(errors) else 0.0,
        f"errors with confidence < {UNCERTAIN}": float((confidence[errors] < UNCERTAIN).mean())
        if len(errors) else 0.0,
    }


def confused_pairs_table(evaluation: Evaluation, top: int = 6) -> pd.DataFrame:
    pairs = most_confused_pairs(np.array(evaluation.metrics["confusion"]),
                                evaluation.metrics["classes"], top)
    return pd.DataFrame(pairs, columns=["true", "predicted", "count", "share of true class"])


def per_class_table(evaluations: dict[str, Evaluation]) -> pd.DataFrame:
    """Rows are classes; for each evaluation, precision, recall and F1."""
    rows = []
    for name, evaluation in evaluations.items():
        for label, scores in evaluation.metrics["per_class"].items():
            rows.append({"class": label, "model": name, "precision": scores["precision"],
                         "recall": scores["recall"], "f1": scores["f1"],
                         "support": scores["support"]})
    return pd.DataFrame(rows)


def weakest_classes(evaluation: Evaluation, count: int = 2) -> list[tuple[str, float]]:
    scores = [(label, values["f1"]) for label, values in evaluation.metrics["per_class"].items()]
    return sorted(scores, key=lambda item: item[1])[:count]


def summary_row(evaluation: Evaluation) -> dict:
    metrics = evaluation.metrics
    return {"model": evaluation.model_name, "test data": evaluation.data_name,
            "accuracy": metrics["accuracy"], "precision": metrics["precision"],
            "recall": metrics["recall"], "f1": metrics["f1"]}


def random_positions(count: int, total: int, seed: int | None) -> np.ndarray:
    """Random test positions: a fresh draw on every execution unless `seed` fixes them."""
    generator = np.random.default_rng(seed)
    return np.sort(generator.choice(total, size=min(count, total), replace=False))
