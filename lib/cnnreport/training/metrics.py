"""Classification metrics, all from scikit-learn, in one place.

Accuracy, macro precision, macro recall and F1 are computed over an explicit list of class indices
so that two-class studies and runs over every class use the same code.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np


def classification_metrics(labels: np.ndarray, predictions: np.ndarray,
                           classes: Sequence[int]) -> dict:
    """Accuracy and macro scores over `classes`, plus per-class values and the confusion matrix."""
    # imported here: scikit-learn costs seconds at import, paid by every process that merely
    # loads a model (chapter kernels, the demo) if imported with this module
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    labels = np.asarray(labels)
    predictions = np.asarray(predictions)
    classes = list(classes)
    precision, recall, f1, support = precision_recall_fscore_support(
        labels, predictions, labels=classes, zero_division=0)
    return {
        "accuracy": float((labels == predictions).mean()) if len(labels) else 0.0,
        "precision": float(precision.mean()),
        "recall": float(recall.mean()),
        "f1": float(f1.mean()),
        "per_class": {str(c): {"precision": float(p), "recall": float(r), "f1": float(f),
                               "support": int(s)}
                      for c, p, r, f, s in zip(classes, precision, recall, f1, support)},
        "confusion": confusion_matrix(labels, predictions, labels=classes).tolist(),
        "classes": classes,
    }


def most_confused_pairs(confusion: np.ndarray, classes: Sequence[int], top: int = 5) -> list[dict]:
    """Largest off-diagonal counts: (true class, predicted class, count, share of the true class)."""
    confusion = np.asarray(confusion)
    totals = confusion.sum(axis=1)
    pairs = [{"true": classes[i], "predicted": classes[j], "count": int(confusion[i, j]),
              "share of true class": float(confusion[i, j] / totals[i]) if totals[i] else 0.0}
             for i in range(len(classes)) for j in range(len(classes)) if i != j and confusion[i, j]]
    return sorted(pairs, key=lambda pair: -pair["count"])[:top]
