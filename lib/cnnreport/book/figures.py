"""Figures. Each function takes ready numbers and returns a matplotlib Figure; none computes results.

One function per kind of figure; class names come with the data, so any dataset draws the same way.
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import torch  # noqa: E402
from cycler import cycler  # noqa: E402

# seaborn's set_theme(style="whitegrid", context="notebook"), written out as matplotlib settings:
# every chapter kernel gets the look without importing seaborn (and SciPy with it, seconds per
# kernel); the few figures drawn with seaborn import it when they draw
SEABORN_DEEP = ("#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3",
                "#8C8C8C", "#CCB974", "#64B5CD")
WHITEGRID_THEME = {
    "axes.axisbelow": True, "axes.edgecolor": ".8", "axes.grid": True, "axes.labelcolor": ".15",
    "axes.labelsize": 12.0, "axes.linewidth": 1.25, "axes.titlesize": 12.0,
    "axes.prop_cycle": cycler(color=SEABORN_DEEP),
    "font.sans-serif": ["Arial", "DejaVu Sans", "Liberation Sans", "Bitstream Vera Sans",
                        "sans-serif"],
    "font.size": 12.0, "grid.color": ".8", "grid.linewidth": 1.0, "legend.fontsize": 11.0,
    "legend.title_fontsize": 12.0, "lines.solid_capstyle": "round", "patch.edgecolor": "w",
    "patch.force_edgecolor": True, "text.color": ".15", "xtick.bottom": False,
    "xtick.color": ".15", "xtick.labelsize": 11.0, "xtick.major.size": 6.0,
    "xtick.major.width": 1.25, "xtick.minor.size": 4.0, "xtick.minor.width": 1.0,
    "ytick.color": ".15", "ytick.labelsize": 11.0, "ytick.left": False, "ytick.major.size": 6.0,
    "ytick.major.width": 1.25, "ytick.minor.size": 4.0, "ytick.minor.width": 1.0}
plt.rcParams.update(WHITEGRID_THEME)
SPLIT_PALETTE = {"train": "#4C72B0", "validation": "#55A868", "test": "#C44E52"}
PAIR_COLOURS = ("#DD8452", "#4C72B0")  # two-class scatter plots


def class_palette(count: int) -> list:
    """Distinct colours for `count` classes (tab10 up to ten, then evenly spaced hues)."""
    if count <= 10:
        return list(plt.get_cmap("tab10").colors[:count])
    import seaborn as sns

    return sns.color_palette("husl", count)


def image_for_display(image: torch.Tensor) -> np.ndarray:
    """uint8 [C, H, W] -> array matplotlib shows (grey images as 2-D)."""
    array = image.cpu().numpy()
    return array[0] if array.shape[0] == 1 else array.transpose(1, 2, 0)


def sample_grid(samples: dict[str, list[torch.Tensor]], class_names: tuple[str, ...], title: str,
                per_split: int) -> plt.Figure:
    """Columns are classes; rows are, per split, the first `per_split` images of each class.

    `samples[split]` holds, per class in order, a uint8 tensor [per_split, C, H, W]. Classes run
    across the page so the grid fits a page's width and height.
    """
    splits = list(samples)
    rows = len(splits) * per_split
    figure, axes = plt.subplots(rows, len(class_names), figsize=(len(class_names) * 1.0,
                                                                   rows * 1.12 + 0.4),
                                squeeze=False)
    for block, split in enumerate(splits):
        for column, class_images in enumerate(samples[split]):
            for slot in range(per_split):
                axis = axes[block * per_split + slot, column]
                axis.set_xticks([])
                axis.set_yticks([])
                if slot < len(class_images):
                    axis.imshow(image_for_display(class_images[slot]), cmap="gray", vmin=0, vmax=255)
                    axis.set_title(f"{split}: {class_names[column]}", fontsize=6.5, pad=2)
                if column == 0:
                    axis.set_ylabel(f"{split} #{slot + 1}", fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.98), h_pad=0.3, w_pad=0.2)
    return figure


def class_distribution(counts: pd.DataFrame, title: str) -> plt.Figure:
    """Grouped bars of images per class, one colour per split; `counts` has columns class/split/images."""
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    import seaborn as sns

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


def overlaid_curves(histories: dict[str, pd.DataFrame], title: str,
                    left: tuple[str, str] = ("val_accuracy", "test_accuracy"),
                    left_names: tuple[str, str] = ("validation", "test"),
                    right: str = "train_loss", titles: tuple[str, str] = ("accuracy", "training loss"),
                    ylabels: tuple[str, str] | None = None) -> plt.Figure:
    """Several runs on shared axes: two columns per run on the left (solid, dashed), one on the right.

    `histories[name]` is a per-epoch frame (see `analysis.training_tables.history_frame`); by
    default validation and test accuracy, and training loss.
    """
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.8))
    for name, frame in histories.items():
        line, = axes[0].plot(frame["epoch"], frame[left[0]], label=f"{name} {left_names[0]}")
        axes[0].plot(frame["epoch"], frame[left[1]], linestyle="--", color=line.get_color(),
                     label=f"{name} {left_names[1]}")
        axes[1].plot(frame["epoch"], frame[right], label=name, color=line.get_color())
    for axis, panel_title, ylabel in zip(axes, titles, ylabels or (None, None)):
        axis.set_title(f"{title}: {panel_title}")
        axis.set_xlabel("epoch")
        if ylabel:
            axis.set_ylabel(ylabel)
        axis.legend(fontsize=8 if ylabels is None else 7)
    figure.tight_layout()
    return figure


def seed_curves(histories: dict[str, pd.DataFrame], title: str) -> plt.Figure:
    """Training loss (solid), validation loss (dashed) and test accuracy per epoch, a line per seed."""
    return overlaid_curves(histories, title, left=("train_loss", "val_loss"),
                           left_names=("train", "validation"), right="test_accuracy",
                           titles=("loss", "test accuracy"), ylabels=("loss", "accuracy"))


def misclassified_grid(images: torch.Tensor, chosen: dict[int, np.ndarray], predictions: np.ndarray,
                       confidence: np.ndarray, class_names: tuple[str, ...], per_class: int,
                       title: str) -> plt.Figure:
    """Rows are true classes; each cell a misclassified test image with prediction and probability."""
    classes = list(chosen)
    figure, axes = plt.subplots(len(classes), per_class,
                                figsize=(per_class * 0.95, len(classes) * 1.0 + 0.4), squeeze=False)
    for row, label in enumerate(classes):
        for column in range(per_class):
            axis = axes[row, column]
            axis.set_xticks([])
            axis.set_yticks([])
            for spine in axis.spines.values():
                spine.set_visible(False)
            axis.imshow(np.full(images.shape[-2:], 255, dtype=np.uint8), cmap="gray", vmin=0, vmax=255)
            if column < len(chosen[label]):  # blank cells keep every row the same size
                position = chosen[label][column]
                axis.imshow(image_for_display(images[position]), cmap="gray", vmin=0, vmax=255)
                axis.set_title(f"→{class_names[predictions[position]]} ({confidence[position]:.2f})",
                               fontsize=6.5, pad=1.5, color="#C44E52")
            if column == 0:
                axis.set_ylabel(f"true {class_names[label]}", fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.98), h_pad=0.2, w_pad=0.1)
    return figure


def confusion_heatmaps(confusion: np.ndarray, labels: list[str], title: str) -> plt.Figure:
    """Counts (left) and row-normalized shares (right) of one confusion matrix; `labels` name its
    rows and columns."""
    confusion = np.asarray(confusion)
    normalized = confusion / np.maximum(confusion.sum(axis=1, keepdims=True), 1)
    size = 4.2 if len(labels) > 2 else 3
    figure, axes = plt.subplots(1, 2, figsize=(2 * size + 1.5, size))
    import seaborn as sns

    sns.heatmap(confusion, annot=len(labels) <= 10, fmt="d", cmap="Blues", ax=axes[0],
                xticklabels=labels, yticklabels=labels, cbar=False, annot_kws={"size": 6.5})
    sns.heatmap(normalized, annot=len(labels) <= 10, fmt=".2f", cmap="Blues", ax=axes[1],
                xticklabels=labels, yticklabels=labels, vmin=0, vmax=1, cbar=False,
                annot_kws={"size": 6.5})
    for axis, kind in zip(axes, ("counts", "row-normalized")):
        axis.set_xlabel("predicted")
        axis.set_ylabel("true")
        axis.set_title(f"{title} ({kind})", fontsize=9)
    figure.tight_layout()
    return figure


def prediction_gallery(images: torch.Tensor, labels: np.ndarray, probabilities: np.ndarray,
                       class_names: tuple[str, ...], title: str, columns: int = 6) -> plt.Figure:
    """Images with predicted class and probability; green when right, red when wrong."""
    count = len(images)
    rows = -(-count // columns)
    # constrained layout reserves room for each two-line caption above its image, so a row's
    # captions never cover the images of the row above
    figure, axes = plt.subplots(rows, columns, figsize=(columns * 1.3, rows * 1.75 + 0.4),
                                squeeze=False, layout="constrained")
    for slot, axis in enumerate(axes.flat):
        axis.axis("off")
        if slot >= count:
            continue
        predicted = int(probabilities[slot].argmax())
        axis.imshow(image_for_display(images[slot]), cmap="gray", vmin=0, vmax=255)
        colour = "#2E7D32" if predicted == labels[slot] else "#C62828"
        axis.set_title(f"pred {class_names[predicted]} ({probabilities[slot, predicted]:.2f})\n"
                       f"true {class_names[labels[slot]]}", fontsize=7, color=colour)
    figure.suptitle(title, fontsize=10)
    return figure


def probability_maps(images: torch.Tensor, labels: np.ndarray, probabilities: np.ndarray,
                     class_names: tuple[str, ...], title: str, columns: int = 4) -> plt.Figure:
    """Each image above its softmax bar chart (true class outlined, predicted filled red)."""
    count = len(images)
    pairs = -(-count // columns)
    figure, axes = plt.subplots(2 * pairs, columns, figsize=(columns * 2.0, pairs * 3.3),
                                gridspec_kw={"height_ratios": [1.2, 1] * pairs}, squeeze=False)
    for slot in range(pairs * columns):
        image_axis = axes[2 * (slot // columns), slot % columns]
        bar_axis = axes[2 * (slot // columns) + 1, slot % columns]
        image_axis.axis("off")
        if slot >= count:
            bar_axis.axis("off")
            continue
        predicted = int(probabilities[slot].argmax())
        image_axis.imshow(image_for_display(images[slot]), cmap="gray", vmin=0, vmax=255)
        image_axis.set_title(f"true {class_names[labels[slot]]}, pred {class_names[predicted]}",
                             fontsize=8)
        outputs = probabilities.shape[1]
        colours = ["#C44E52" if c == predicted else "#8DA0CB" for c in range(outputs)]
        bars = bar_axis.bar(range(outputs), probabilities[slot], color=colours)
        bars[int(labels[slot])].set_edgecolor("black")
        bars[int(labels[slot])].set_linewidth(1.5)
        bar_axis.set_ylim(0, 1)
        bar_axis.set_xticks(range(outputs), class_names if outputs <= 12 else None)
        bar_axis.tick_params(labelsize=6)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def per_class_bars(table: pd.DataFrame, title: str) -> plt.Figure:
    """Precision, recall and F1 per class, one panel per metric, one colour per model."""
    figure, axes = plt.subplots(1, 3, figsize=(12, 3.4), sharey=True)
    import seaborn as sns

    for axis, metric in zip(axes, ("precision", "recall", "f1")):
        sns.barplot(data=table, x="class", y=metric, hue="model", ax=axis)
        low = max(0.0, float(table[metric].min()) - 0.05)
        axis.set_ylim(low, 1.0)
        axis.set_title(f"{title}: {metric}", fontsize=9)
        axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def train_test_curves(histories: dict[str, pd.DataFrame], title: str) -> plt.Figure:
    """Training loss (solid) and test loss (dashed) per epoch, and test accuracy, a line per run."""
    return overlaid_curves(histories, title, left=("train_loss", "test_loss"),
                           left_names=("train", "test"), right="test_accuracy",
                           titles=("loss", "test accuracy"), ylabels=("loss", "accuracy"))


def embedding_scatter(coordinates: np.ndarray, labels: np.ndarray, class_names: tuple[str, ...],
                      title: str, subtitle: str = "") -> plt.Figure:
    """2-D embedding coloured by class with a legend."""
    figure, axis = plt.subplots(figsize=(6.2, 5.2))
    palette = class_palette(len(class_names))
    for label in sorted(set(int(value) for value in labels)):
        points = coordinates[labels == label]
        axis.scatter(points[:, 0], points[:, 1], s=3, alpha=0.6, color=palette[label],
                     label=class_names[label], rasterized=True)
    axis.set_title(f"{title}\n{subtitle}" if subtitle else title, fontsize=9)
    axis.set_xticks([])
    axis.set_yticks([])
    axis.legend(title="class", markerscale=4, fontsize=7, loc="center left",
                bbox_to_anchor=(1.0, 0.5))
    figure.tight_layout()
    return figure


def projection_scatter(projection, title: str) -> plt.Figure:
    """An `analysis.embedding.Projection` coloured by class, its cluster scores in the subtitle."""
    scores = projection.scores
    return embedding_scatter(
        projection.coordinates, projection.labels, projection.class_names, title,
        f"kNN accuracy {scores['kNN accuracy (2-D)']:.3f}, silhouette {scores['silhouette']:.3f}")


def case_curves(own: dict[str, pd.DataFrame], classes: tuple[str, str], cases: list[int]) -> plt.Figure:
    """Per-class recall (solid) and precision (faint) across cases, one panel per training dataset.

    `own[name]` has one row per case with columns `recall <c>` and `precision <c>` for both classes.
    """
    figure, axes = plt.subplots(1, len(own), figsize=(5.5 * len(own), 3.6), sharey=True,
                                squeeze=False)
    for axis, (name, table) in zip(axes[0], own.items()):
        for label, style in zip(classes, ("o-", "s--")):
            axis.plot(cases, table[f"recall {label}"], style, label=f"recall class {label}")
            axis.plot(cases, table[f"precision {label}"], style, alpha=0.4,
                      label=f"precision class {label}")
        axis.set_xticks(cases)
        axis.set_xlabel("case")
        axis.set_title(f"trained and tested on {name}")
        axis.legend(fontsize=7)
    figure.tight_layout()
    return figure


def embedding_panels(panels: dict[str, tuple[np.ndarray, np.ndarray]], classes: tuple[int, int],
                     titles: dict[str, str]) -> plt.Figure:
    """Two-class 2-D embeddings side by side; `panels[key]` is (coordinates, labels)."""
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), squeeze=False)
    for axis, (key, (coordinates, labels)) in zip(axes[0], panels.items()):
        for label, colour in zip(classes, PAIR_COLOURS):
            points = coordinates[labels == label]
            axis.scatter(points[:, 0], points[:, 1], s=3, alpha=0.6, color=colour, label=str(label))
        axis.set_title(titles[key], fontsize=9)
        axis.set_xticks([])
        axis.set_yticks([])
        axis.legend(title="class", markerscale=4, fontsize=7)
    figure.tight_layout()
    return figure



def computation_graph(graph: dict[str, tuple[str, list[tuple[str, str]]]], values: dict[str, str],
                      title: str) -> plt.Figure:
    """A computation graph: a node per intermediate (its formula and value), an edge per input with
    its local derivative. networkx places the nodes by their depth in the graph (its topological
    generations), left to right, so nothing is positioned by hand."""
    import networkx as nx

    digraph = nx.DiGraph()
    for node, (_, inputs) in graph.items():
        digraph.add_node(node)
        for source, derivative in inputs:
            digraph.add_edge(source, node, derivative=derivative)
    for depth, generation in enumerate(nx.topological_generations(digraph)):
        for node in generation:
            digraph.nodes[node]["depth"] = depth
    positions = nx.multipartite_layout(digraph, subset_key="depth")
    figure, axis = plt.subplots(figsize=(10, 4.2))
    labels = {node: f"{node} = {graph[node][0]}\n{values.get(node, '')}".replace("= leaf\n", "\n")
              for node in digraph.nodes}
    nx.draw_networkx_nodes(digraph, positions, ax=axis, node_size=2600, node_color="#DCE6F2",
                           edgecolors="#4C72B0")
    nx.draw_networkx_labels(digraph, positions, labels, ax=axis, font_size=7)
    nx.draw_networkx_edges(digraph, positions, ax=axis, node_size=2600, arrowsize=14,
                           edge_color="0.4")
    nx.draw_networkx_edge_labels(digraph, positions, nx.get_edge_attributes(digraph, "derivative"),
                                 ax=axis, font_size=7, font_color="#C44E52", label_pos=0.45)
    axis.set_title(title, fontsize=10)
    axis.axis("off")
    figure.tight_layout()
    return figure


def sigmoid_saturation(curve: dict[str, np.ndarray], title: str) -> plt.Figure:
    """The sigmoid's output and slope o(1 − o) over the pre-activation, and the size of a weight's
    gradient through it: where the slope is near 0 the gradient vanishes."""
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    axes[0].plot(curve["net"], curve["o"], label="o = σ(net)", color="#4C72B0")
    axes[0].plot(curve["net"], curve["slope"], label="σ'(net) = o(1 − o)", color="#C44E52")
    axes[0].axhline(0.25, color="grey", linestyle=":", label="largest slope 1/4")
    axes[1].semilogy(curve["net"], np.maximum(curve["gradient"], 1e-12), color="#55A868")
    axes[1].set_ylabel("|∂E/∂w₁₁| (log scale)")
    for axis, panel in zip(axes, ("output and slope", "gradient size")):
        axis.set_xlabel("pre-activation net₁")
        axis.set_title(f"{title}: {panel}", fontsize=9)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    return figure


def augmentation_rows(rows: dict[str, torch.Tensor], original: torch.Tensor, title: str) -> plt.Figure:
    """The original image, then a row of random draws per augmentation (uint8 [copies, C, H, W])."""
    copies = max(len(images) for images in rows.values())
    figure, axes = plt.subplots(len(rows), copies + 1, figsize=((copies + 1) * 1.05,
                                                                len(rows) * 1.15 + 0.4),
                                squeeze=False)
    for row, (name, images) in enumerate(rows.items()):
        for column, axis in enumerate(axes[row]):
            axis.set_xticks([])
            axis.set_yticks([])
            shown = original if column == 0 else images[column - 1] if column <= len(images) else None
            if shown is None:
                axis.axis("off")
                continue
            axis.imshow(image_for_display(shown), cmap="gray", vmin=0, vmax=255)
            if column == 0:
                axis.set_ylabel(name, fontsize=6.5, rotation=0, ha="right", va="center")
                axis.set_title("original" if row == 0 else "", fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.97), h_pad=0.2, w_pad=0.1)
    return figure


def gradcam_overlays(images: torch.Tensor, heat_maps: np.ndarray, captions: list[str], title: str,
                     columns: int = 4) -> plt.Figure:
    """Each image above the same image with its Grad-CAM heat map laid over it (red: looked at)."""
    count = len(images)
    pairs = -(-count // columns)
    figure, axes = plt.subplots(2 * pairs, columns, figsize=(columns * 1.9, pairs * 3.9),
                                squeeze=False)
    for slot in range(pairs * columns):
        top, bottom = axes[2 * (slot // columns), slot % columns], axes[2 * (slot // columns) + 1,
                                                                          slot % columns]
        top.axis("off")
        bottom.axis("off")
        if slot >= count:
            continue
        picture = image_for_display(images[slot])
        top.imshow(picture, cmap="gray", vmin=0, vmax=255)
        top.set_title(captions[slot], fontsize=7, color="#C44E52")
        bottom.imshow(picture, cmap="gray", vmin=0, vmax=255)
        bottom.imshow(heat_maps[slot], cmap="jet", alpha=0.45, vmin=0, vmax=1)
        bottom.set_title("Grad-CAM", fontsize=7)
    figure.suptitle(title, fontsize=10)
    figure.tight_layout()
    return figure


def loss_comparison_curves(histories: dict[str, pd.DataFrame], chosen: str, title: str) -> plt.Figure:
    """Validation accuracy and validation loss per epoch of the same network under each loss."""
    figure, axes = plt.subplots(1, 2, figsize=(11, 3.6))
    for name, frame in histories.items():
        width = 2.6 if name == chosen else 1.3
        axes[0].plot(frame["epoch"], frame["val_accuracy"], label=name, linewidth=width)
        axes[1].plot(frame["epoch"], frame["val_loss"], label=name, linewidth=width)
    for axis, metric in zip(axes, ("validation accuracy", "validation cross-entropy")):
        axis.set_xlabel("epoch")
        axis.set_title(f"{title}: {metric}", fontsize=9)
    axes[0].legend(fontsize=8)
    figure.tight_layout()
    return figure


def split_class_rows(samples: dict[str, list[torch.Tensor]], class_names: tuple[str, ...],
                     title: str) -> plt.Figure:
    """A row per split and class ("train: cats"), its first images left to right; for datasets with
    few classes, where a column per class would make a tall, narrow figure."""
    rows = [(split, label) for split in samples for label in range(len(class_names))]
    per_row = max(len(images) for split in samples for images in samples[split])
    figure, axes = plt.subplots(len(rows), per_row, figsize=(per_row * 1.1, len(rows) * 1.1 + 0.4),
                                squeeze=False)
    for row, (split, label) in enumerate(rows):
        images = samples[split][label]
        for column, axis in enumerate(axes[row]):
            axis.set_xticks([])
            axis.set_yticks([])
            if column >= len(images):
                axis.axis("off")
                continue
            axis.imshow(image_for_display(images[column]), cmap="gray", vmin=0, vmax=255)
            if row == 0:
                axis.set_title(f"#{column + 1}", fontsize=7)
            if column == 0:
                axis.set_ylabel(f"{split}\n{class_names[label]}", fontsize=7,
                                color=SPLIT_PALETTE.get(split, "black"))
    figure.suptitle(title, fontsize=10)
    figure.tight_layout(rect=(0, 0, 1, 0.98), h_pad=0.2, w_pad=0.1)
    return figure


def split_metric_curves(frame: pd.DataFrame, metrics: tuple[str, ...], best_epoch: int,
                        title: str) -> plt.Figure:
    """Several per-epoch metrics of one split (e.g. validation accuracy, macro precision, recall)."""
    figure, axis = plt.subplots(figsize=(7, 3.4))
    for metric in metrics:
        axis.plot(frame["epoch"], frame[metric], label=metric)
    axis.axvline(best_epoch, color="grey", linestyle=":", label=f"kept epoch {best_epoch}")
    axis.set_xlabel("epoch")
    axis.set_title(title, fontsize=10)
    axis.legend(fontsize=8)
    figure.tight_layout()
    return figure
