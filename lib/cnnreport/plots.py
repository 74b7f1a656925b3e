"""Figures. Each function takes ready numbers and returns a matplotlib Figure; none computes results."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
import torch  # noqa: E402

from .data import CLASS_NAMES  # noqa: E402

sns.set_theme(style="whitegrid", context="notebook")
SPLIT_PALETTE = {"train": "#4C72B0", "validation": "#55A868", "test": "#C44E52"}


def image_for_display(image: torch.Tensor) -> np.ndarray:
    """uint8 [C, H, W] -> array matplotlib shows (grey images as 2-D)."""
    array = image.cpu().numpy()
    return array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)


def sample_grid(samples: dict[str, list[torch.Tensor]], title: str, per_split: int) -> plt.Figure:
    """Columns are classes; rows are, per split, the first `per_split` images of each class.

    `samples[split]` holds, per class in order, a uint8 tensor [per_split, C, H, W]. Classes run
    across the page so the grid fits a page's width and height.
    """
    splits = list(samples)
    rows = len(splits) * per_split
    figure, axes = plt.subplots(rows, len(CLASS_NAMES), figsize=(len(CLASS_NAMES) * 1.0,
                                                                   rows * 1.12 + 0.4))
    for block, split in enumerate(splits):
        for column, class_images in enumerate(samples[split]):
            for slot in range(per_split):
                axis = axes[block * per_split + slot, column]
                axis.set_xticks([])
                axis.set_yticks([])
                if slot < len(class_images):
                    axis.imshow(image_for_display(class_images[slot]), cmap="gray", vmin=0, vmax=255)
                    axis.set_title(f"{split}: {CLASS_NAMES[column]}", fontsize=6.5, pad=2)
                if column == 0:
                    axis.set_ylabel(f"{split} #{slot + 1}", fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.98), h_pad=0.3, w_pad=0.2)
    return figure


def class_distribution(counts: pd.DataFrame, title: str) -> plt.Figure:
    """Grouped bars of images per class, one colour per split; `counts` has columns class/split/images."""
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    sns.barplot(data=counts, x="class", y="images", hue="split", palette=SPLIT_PALETTE, ax=axes[0])
    axes[0].set_title(f"{title}: images per class")
    shares = counts.assign(share=counts["images"] / counts.groupby("split")["images"].transform("sum"))
    sns.barplot(data=shares, x="class", y="share", hue="split", palette=SPLIT_PALETTE, ax=axes[1])
    axes[1].set_title(f"{title}: share of each split")
    axes[1].yaxis.set_major_formatter(matplotlib.ticker.PercentFormatter(1.0))
    for axis in axes:
        axis.legend(title=None, fontsize=8)
    figure.tight_layout()
    return figure


def study_curves(curves: dict[str, list[float]], chosen: str, title: str) -> plt.Figure:
    """Validation accuracy per epoch for each study variant; the chosen one drawn thick."""
    figure, axis = plt.subplots(figsize=(8, 4))
    for name, accuracies in curves.items():
        epochs = range(1, len(accuracies) + 1)
        axis.plot(epochs, accuracies, marker="o", linewidth=3 if name == chosen else 1.2,
                  label=f"{name} (chosen)" if name == chosen else name)
    axis.set_xlabel("epoch")
    axis.set_ylabel("validation accuracy")
    axis.set_title(title)
    axis.legend(fontsize=7, ncol=2)
    figure.tight_layout()
    return figure


def training_curves(frames: dict[str, pd.DataFrame], best_epoch: int, title: str) -> plt.Figure:
    """Loss and accuracy over epochs for train and validation, test accuracy dashed, best epoch marked.

    `frames` maps split ("train", "val", "test") to a per-epoch frame with loss and accuracy.
    """
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    styles = {"train": dict(color="#4C72B0"), "val": dict(color="#55A868"),
              "test": dict(color="#C44E52", linestyle="--")}
    names = {"train": "train", "val": "validation", "test": "test"}
    for metric, axis in zip(("loss", "accuracy"), axes):
        for split, frame in frames.items():
            if split == "test" and metric == "loss":
                continue
            axis.plot(frame["epoch"], frame[metric], label=names[split], **styles[split])
        axis.axvline(best_epoch, color="grey", linestyle=":", label=f"best validation (epoch {best_epoch})")
        axis.set_xlabel("epoch")
        axis.set_ylabel(metric)
        axis.set_title(f"{title}: {metric}")
        axis.legend(fontsize=8)
    figure.tight_layout()
    return figure
