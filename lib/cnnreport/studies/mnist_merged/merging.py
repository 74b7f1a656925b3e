"""What merging classes changed (assignment 004, 2.13): computed from the two confusion matrices.

Merging digits into groups turns some of the ten-class model's errors into correct answers (a 0
taken for a 6 is right once both are one class) and leaves the others as errors between groups.
`merge_effect` splits the ten-class test errors that way, and sets them beside the errors the model
trained on merged classes makes between the same groups.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ...data.label_maps import source_to_group


def merge_confusion(confusion: np.ndarray, group_of: list[int], groups: int) -> np.ndarray:
    """A ten-class confusion matrix read with merged classes (rows and columns summed by group)."""
    merged = np.zeros((groups, groups), dtype=np.int64)
    for true, row in enumerate(np.asarray(confusion)):
        for predicted, count in enumerate(row):
            merged[group_of[true], group_of[predicted]] += count
    return merged


def within_group_errors(confusion: np.ndarray, classes: tuple[str, ...],
                        group_of: list[int]) -> pd.DataFrame:
    """Errors of the ten-class model between classes of the same group (they vanish when merged)."""
    rows = [{"true": classes[i], "predicted": classes[j], "count": int(confusion[i][j])}
            for i in range(len(classes)) for j in range(len(classes))
            if i != j and group_of[i] == group_of[j] and confusion[i][j]]
    return pd.DataFrame(rows, columns=["true", "predicted", "count"]).sort_values(
        "count", ascending=False, kind="stable").reset_index(drop=True)


def between_group_table(original_merged: np.ndarray, merged: np.ndarray,
                        group_names: tuple[str, ...]) -> pd.DataFrame:
    """Errors between each ordered pair of groups: the ten-class model's (read with merged classes)
    beside the merged-class model's."""
    rows = []
    for i, true in enumerate(group_names):
        for j, predicted in enumerate(group_names):
            if i != j and (original_merged[i, j] or merged[i, j]):
                rows.append({"true group": true, "predicted group": predicted,
                             "ten-class model": int(original_merged[i, j]),
                             "merged-class model": int(merged[i, j])})
    return pd.DataFrame(rows, columns=["true group", "predicted group", "ten-class model",
                                       "merged-class model"])


def merge_effect(original_confusion, merged_confusion, classes: tuple[str, ...],
                 groups: dict[str, list[str]]) -> dict:
    """Everything the comparison reports: error counts, accuracies, and the two tables above."""
    original = np.asarray(original_confusion)
    merged = np.asarray(merged_confusion)
    group_of = source_to_group(groups, classes)
    original_merged = merge_confusion(original, group_of, len(groups))
    total = int(original.sum())
    within = within_group_errors(original, classes, group_of)
    return {
        "test images": total,
        "ten-class errors": int(total - np.trace(original)),
        "within-group errors": int(within["count"].sum()),
        "ten-class errors between groups": int(total - np.trace(original_merged)),
        "merged-class errors": int(merged.sum() - np.trace(merged)),
        "ten-class accuracy": float(np.trace(original) / total),
        "ten-class accuracy read with merged classes": float(np.trace(original_merged) / total),
        "merged-class accuracy": float(np.trace(merged) / merged.sum()),
        "within": within,
        "between": between_group_table(original_merged, merged, tuple(groups)),
    }


def group_sizes(labels: np.ndarray, group_names: tuple[str, ...], members: dict) -> pd.DataFrame:
    """Images per merged class, its share and how many source classes it holds (the 2:2:4:2)."""
    counts = np.bincount(labels, minlength=len(group_names))
    return pd.DataFrame({"class": list(group_names),
                         "source classes": [len(members[name]) for name in group_names],
                         "images": counts.astype(int),
                         "share %": 100 * counts / counts.sum()})
