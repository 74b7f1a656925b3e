"""Evaluating saved models on test splits: predictions, errors, per-class scores.

Every number here comes from `inference.predict` on a model loaded from its file, so what the report
says is what the saved model does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch

from ..data.image_set import ImageSet
from ..training.engine import restricted_predictions
from ..training.metrics import classification_metrics, most_confused_pairs
from .inference import LoadedModel, predict

CONFIDENT = 0.9  # an error made with at least this probability is a "confident" mistake
UNCERTAIN = 0.6  # a prediction below this probability is "uncertain"


@dataclass
class Evaluation:
    """One model on one test split."""

    model_name: str  # e.g. "MNIST model"
    data_name: str  # e.g. "SVHN test"
    images: torch.Tensor  # uint8, CPU
    labels: np.ndarray
    class_names: tuple[str, ...]  # of the labels (the data's classes)
    probabilities: np.ndarray  # [N, classes of the model]
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
             classes: Sequence[int] | None = None) -> Evaluation:
    """`loaded` on `image_set`; predictions are the argmax over `classes` (default: all)."""
    probabilities = predict(loaded.model, image_set.images).cpu()
    classes = list(range(loaded.model.num_classes)) if classes is None else list(classes)
    predictions = restricted_predictions(probabilities, classes).numpy()
    labels = image_set.labels.cpu().numpy()
    return Evaluation(model_name, data_name, image_set.images.cpu(), labels, image_set.classes,
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
    """The largest off-diagonal counts of the confusion matrix, with class names."""
    names = [evaluation.class_names[c] for c in evaluation.metrics["classes"]]
    pairs = most_confused_pairs(np.array(evaluation.metrics["confusion"]), names, top)
    return pd.DataFrame(pairs, columns=["true", "predicted", "count", "share of true class"])


def confusion_table(evaluation: Evaluation) -> pd.DataFrame:
    """The confusion matrix with class names: rows are true classes, columns predicted ones."""
    names = [evaluation.class_names[c] for c in evaluation.metrics["classes"]]
    table = pd.DataFrame(evaluation.metrics["confusion"], index=names, columns=names)
    table.index.name = "true ↓ / predicted →"
    return table.reset_index()


def describe_errors(evaluation: Evaluation, causes: str) -> str:
    """How many errors, the top confusions with their likely `causes`, and how sure the model was."""
    profile = error_profile(evaluation)
    pairs = confused_pairs_table(evaluation, top=3)
    pair_text = ", ".join(f"{row['true']}→{row['predicted']} ({row['count']})"
                          for _, row in pairs.iterrows()) or "none"
    confident = profile[f"errors with confidence >= {CONFIDENT}"]
    uncertain = profile[f"errors with confidence < {UNCERTAIN}"]
    return (f"{profile['errors']:,} errors ({100 * profile['error rate']:.2f}%). "
            f"The most frequent confusions are {pair_text}: {causes}. "
            f"{100 * confident:.0f}% of the errors are made with probability ≥ {CONFIDENT} "
            f"(confident mistakes: atypical or arguably mislabelled images), {100 * uncertain:.0f}% "
            f"below {UNCERTAIN} (genuinely ambiguous images where two classes compete); "
            f"mean confidence is {profile['mean confidence when wrong']:.2f} when wrong against "
            f"{profile['mean confidence when right']:.2f} when right.")


def per_class_table(evaluations: dict[str, Evaluation]) -> pd.DataFrame:
    """Rows are classes; for each evaluation, precision, recall and F1."""
    rows = []
    for name, evaluation in evaluations.items():
        for label, scores in evaluation.metrics["per_class"].items():
            rows.append({"class": evaluation.class_names[int(label)], "model": name,
                         "precision": scores["precision"],
                         "recall": scores["recall"], "f1": scores["f1"],
                         "support": scores["support"]})
    return pd.DataFrame(rows)


def class_f1(evaluation: Evaluation) -> list[tuple[str, float]]:
    """(class name, F1) for every scored class."""
    return [(evaluation.class_names[int(label)], values["f1"])
            for label, values in evaluation.metrics["per_class"].items()]


def weakest_classes(evaluation: Evaluation, count: int = 2) -> list[tuple[str, float]]:
    return sorted(class_f1(evaluation), key=lambda item: item[1])[:count]


def strongest_class(evaluation: Evaluation) -> str:
    return max(class_f1(evaluation), key=lambda item: item[1])[0]


def summary_row(evaluation: Evaluation) -> dict:
    metrics = evaluation.metrics
    return {"model": evaluation.model_name, "test data": evaluation.data_name,
            "accuracy": metrics["accuracy"], "precision": metrics["precision"],
            "recall": metrics["recall"], "f1": metrics["f1"]}


def random_positions(count: int, total: int, seed: int | None) -> np.ndarray:
    """Random test positions: a fresh draw on every execution unless `seed` fixes them."""
    generator = np.random.default_rng(seed)
    return np.sort(generator.choice(total, size=min(count, total), replace=False))


@dataclass
class Gallery:
    """Random test images with a model's probabilities, for "k of n correct" figures."""

    images: torch.Tensor
    labels: np.ndarray
    probabilities: np.ndarray

    @property
    def correct(self) -> int:
        return int((self.probabilities.argmax(axis=1) == self.labels).sum())

    @property
    def headline(self) -> str:
        return f"{self.correct} of {len(self.labels)} correct"


def random_gallery(evaluation: Evaluation, count: int, seed: int | None) -> Gallery:
    """`count` random images of an evaluated test split (a fresh draw per execution unless `seed`)."""
    chosen = random_positions(count, len(evaluation.labels), seed)
    return Gallery(evaluation.images[chosen], evaluation.labels[chosen],
                   evaluation.probabilities[chosen])


def random_gallery_per_class(evaluation: Evaluation, per_class: int, seed: int | None) -> Gallery:
    """`per_class` random test images of each true class, class by class (a fresh draw per
    execution unless `seed`), so every class shows how it is classified."""
    generator = np.random.default_rng(seed)
    chosen = np.concatenate([
        np.sort(generator.choice(members, size=min(per_class, len(members)), replace=False))
        for members in (np.flatnonzero(evaluation.labels == label)
                        for label in evaluation.metrics["classes"]) if len(members)])
    return Gallery(evaluation.images[chosen], evaluation.labels[chosen],
                   evaluation.probabilities[chosen])
