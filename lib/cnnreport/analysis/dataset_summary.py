"""Numbers that describe the splits: counts per class, shares, and the first images per class."""

from __future__ import annotations

import pandas as pd
import torch

from ..data.splits import SPLIT_NAMES, SPLIT_TITLES, DatasetSplits


def class_counts(splits: DatasetSplits) -> pd.DataFrame:
    """Long table: one row per (split, class) with the number of images."""
    rows = []
    for split in SPLIT_NAMES:
        counts = torch.bincount(splits[split].labels, minlength=len(splits.classes))
        rows += [{"split": SPLIT_TITLES[split], "class": splits.classes[label],
                  "images": int(count)} for label, count in enumerate(counts)]
    return pd.DataFrame(rows)


def split_size_table(splits: DatasetSplits) -> pd.DataFrame:
    """Wide table: classes as rows, images per split and the split's share of the class."""
    counts = class_counts(splits).pivot(index="class", columns="split", values="images")
    counts = counts.loc[list(splits.classes), [SPLIT_TITLES[split] for split in SPLIT_NAMES]]
    counts.loc["all"] = counts.sum()
    totals = counts.sum(axis=1)
    for split in counts.columns[:3]:
        counts[f"{split} %"] = 100 * counts[split] / totals
    counts.insert(3, "total", totals)
    return counts.reset_index()


def first_images_per_class(splits: DatasetSplits, per_class: int = 2) -> dict[str, list[torch.Tensor]]:
    """For each split, the first `per_class` images of each class, in split order."""
    samples = {}
    for split in SPLIT_NAMES:
        part = splits[split]
        samples[SPLIT_TITLES[split]] = [
            part.images[torch.nonzero(part.labels == label).flatten()[:per_class]]
            for label in range(len(splits.classes))]
    return samples


def stratification_gap(splits: DatasetSplits) -> float:
    """Largest difference, in percentage points, between a class's share in a split and overall."""
    counts = class_counts(splits).pivot(index="class", columns="split", values="images")
    shares = counts / counts.sum()
    overall = counts.sum(axis=1) / counts.values.sum()
    return float(100 * shares.sub(overall, axis=0).abs().values.max())


def describe_training_balance(counts: pd.DataFrame, name: str) -> str:
    """A sentence on the most and least frequent training classes (from `class_counts`)."""
    train = counts[counts["split"] == "train"].set_index("class")["images"]
    if train.max() == train.min():
        return (f"{name} is balanced: every class has {train.max():,} training images "
                f"({100 / len(train):.1f}%), in every split alike.")
    return (f"In {name} the most frequent training class is '{train.idxmax()}' "
            f"({train.max():,} images, {100 * train.max() / train.sum():.1f}%) and the rarest is "
            f"'{train.idxmin()}' ({train.min():,}, {100 * train.min() / train.sum():.1f}%), a ratio of "
            f"{train.max() / train.min():.2f}; the three splits show the same shape because the split "
            f"is stratified.")
