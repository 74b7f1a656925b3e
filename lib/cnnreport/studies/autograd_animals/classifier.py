"""Question 3 of assignment 003 as chapter calls, (a) to (k), each reading the study's splits, runs
and saved model files; nothing here trains.

The model evaluated in (g)-(j) is the final run chosen in (k): the tuned settings trained to the end
under each loss, the one with the best validation accuracy kept.
"""

from __future__ import annotations

import inspect

import numpy as np
import pandas as pd
import torch
from torchinfo import summary

from ...analysis import evaluation as evaluating
from ...analysis import results
from ...analysis.augment_preview import augmentations_on, augmented_copies
from ...analysis.dataset_summary import class_counts, first_images_per_class
from ...analysis.gradcam import centre_share, gradcam_maps
from ...analysis.inference import load_model
from ...analysis.training_tables import (describe_training, epoch_table, history_frame,
                                         read_metric_file, variant_table)
from ...analysis.validation_check import check_validation
from ...book import figures
from ...book.chapter import Chapter
from ...common.paths import ARTIFACTS_DIR, relative_to_artifacts
from ...models import count_parameters
from ...training.engine import validate
from ...training.losses import batch_targets
from .experiments import ClassifierRuns
from .params import AnimalsParams

ONE_HOT_EXAMPLES = 6  # 3(b): training labels shown with their one-hot rows


def shown_path(path) -> str:
    """A file under the artifacts folder as the report names it (relative, as artifacts store it)."""
    return f"{ARTIFACTS_DIR}/{relative_to_artifacts(path)}"


def split_table(splits) -> pd.DataFrame:
    """Images per class and split (3(a)'s 70/10/20 of each class)."""
    counts = class_counts(splits).pivot(index="class", columns="split", values="images")
    counts = counts[["train", "validation", "test"]]
    counts["total"] = counts.sum(axis=1)
    counts.loc["all"] = counts.sum()
    return counts.reset_index()


def first_images(chapter: Chapter, params: AnimalsParams, splits) -> None:
    count = params.figures.first_per_class
    samples = first_images_per_class(splits, count)
    chapter.figure(figures.split_class_rows(samples, splits.classes, f"The first {count} images "
                                            f"of each class in each split"),
                   f"The first {count} images of every class in the training, validation and test "
                   f"splits ({count * len(splits.classes) * 3} images), in split order, labelled by "
                   f"split and class.")


def one_hot_batch(chapter: Chapter, params: AnimalsParams, splits) -> None:
    """The first training labels as the loader hands them to the loss."""
    labels = splits.train.labels[:ONE_HOT_EXAMPLES]
    rows = batch_targets(labels, params.cnn_train, len(splits.classes))
    table = pd.DataFrame(rows.numpy(), columns=list(splits.classes))
    table.insert(0, "class", [splits.classes[int(label)] for label in labels])
    table["row sum"] = rows.sum(dim=1).numpy()
    chapter.table(table, f"The first {ONE_HOT_EXAMPLES} training labels as one-hot vectors "
                  f"(batch shape {tuple(rows.shape)}, dtype {rows.dtype})", float_format=".0f")


def architecture(chapter: Chapter, runs: ClassifierRuns) -> None:
    loaded = load_model(runs.final.model_file)
    model_summary = summary(loaded.model, input_size=(1, *loaded.model.input_shape), verbose=0,
                            col_names=("output_size", "num_params"), depth=3)
    chapter.text(f"Layers and their output shapes (torchinfo), {count_parameters(loaded.model):,} "
                 f"parameters:\n\n```\n{model_summary}\n```")


def augmentations(chapter: Chapter, params: AnimalsParams, splits) -> None:
    config = params.cnn_train
    image = splits.train.images[0]
    rows = augmented_copies(image, config, params.figures.augmented_copies, params.seed)
    chapter.figure(figures.augmentation_rows(rows, image, "Random augmentations of one training "
                                             "image"),
                   f"The first training image ({splits.classes[int(splits.train.labels[0])]}) and "
                   f"{params.figures.augmented_copies} random draws of each of the "
                   f"{augmentations_on(config)} augmentations training uses, then of all together "
                   f"as a training batch sees them (seed {params.seed}).")


def epoch_time(run) -> str:
    """The epoch count and per-epoch time of a run, with the device it was measured on."""
    seconds = [record["seconds"] for record in run.history]
    devices = sorted({record.get("device", "an unrecorded device") for record in run.history})
    return (f"{len(run.history)} epochs, median {np.median(seconds):.1f} s per epoch "
            f"(min {min(seconds):.1f} s, max {max(seconds):.1f} s) on {', '.join(devices)}; "
            f"{sum(seconds) / 60:.1f} minutes in all")


def validation_proof(chapter: Chapter, runs: ClassifierRuns, splits) -> None:
    chapter.text(f"```python\n{inspect.getsource(validate)}```")
    loaded = load_model(runs.final.model_file)
    check = check_validation(loaded.model, splits.val)
    verdict = "bit-identical" if check.unchanged else f"CHANGED: {', '.join(check.changed)}"
    chapter.text(f"**Check, run now on the saved model:** the model is put in training mode, its "
                 f"{check.tensors} weight and buffer tensors (batch norm's running statistics "
                 f"included) are copied, `validate` runs on the {len(splits.val)} validation images "
                 f"(accuracy {100 * check.accuracy:.2f}%), and every tensor is compared exactly: "
                 f"**{verdict}**; {check.gradients} parameters hold a gradient afterwards.")


def metric_files(chapter: Chapter, run) -> None:
    files = run.metric_files()
    listed = ", ".join(f"`{shown_path(path)}`" for path in files.values()
                       if path.is_file())
    chapter.text(f"Every epoch's metrics are written by split to separate text files: {listed}. "
                 f"The start of the validation file:")
    head = "\n".join(files["val"].read_text().splitlines()[:6])
    chapter.text(f"```\n{head}\n```")
    chapter.table(epoch_table(run), f"Per epoch, read back from the metric files of run "
                  f"`{run.run_id}`")
    frames = {split: read_metric_file(run, split) for split in ("train", "val", "test")}
    chapter.figure(figures.training_curves(frames, run.best_epoch, "Final network"),
                   f"Loss and accuracy per epoch from the metric files (training values are measured "
                   f"on the augmented batches while the weights change); the kept epoch "
                   f"({run.best_epoch}, best validation accuracy) is marked.")
    chapter.figure(figures.split_metric_curves(frames["val"], ("accuracy", "precision", "recall",
                                                               "f1"), run.best_epoch,
                                               "Validation metrics per epoch (macro averages)"),
                   "Validation accuracy, macro precision, macro recall and macro F1 per epoch.")
    chapter.text(" ".join(describe_training(run)))


def tuning(chapter: Chapter, runs: ClassifierRuns) -> None:
    study = runs.tuning
    table = variant_table(study.names, study.runs, study.chosen_index, {
        "optimizer": lambda run: run.spec.train.optimizer,
        "learning rate": lambda run: run.spec.train.learning_rate,
        "weight decay": lambda run: run.spec.train.weight_decay})
    chapter.table(table.drop(columns=["epoch-1 val loss"]), f"Optimizer and learning rate, one at a "
                  f"time, {study.runs[0].spec.train.epochs} epochs each; validation accuracy "
                  f"chooses", float_format=".4g")
    chapter.figure(figures.study_curves(study.validation_curves(), study.chosen_name,
                                        "Optimizer and learning rate: validation accuracy"),
                   "Validation accuracy per epoch of every setting; the chosen one is drawn thick.")
    chapter.text(f"**Chosen: {study.chosen_name}** (validation accuracy "
                 f"{100 * study.runs[study.chosen_index].best['val']['accuracy']:.2f}%).")


def evaluate_final(runs: ClassifierRuns, splits) -> evaluating.Evaluation:
    """3(i): the final model loaded from its file and run on the test split."""
    loaded = load_model(runs.final.model_file)
    return evaluating.evaluate(loaded, splits.test, "CNN", "test")


def loaded_from_file(chapter: Chapter, runs: ClassifierRuns, evaluation) -> None:
    path = runs.final.model_file
    recorded = runs.final.best["test"]["accuracy"]
    chapter.text(f"The model file `{shown_path(path)}` "
                 f"({path.stat().st_size / 1024:.0f} KiB) holds the weights, the architecture's "
                 f"config, the class names and the split's definition; `load_model` rebuilds the "
                 f"network from the model registry, loads the weights with `weights_only=True` and "
                 f"refuses a file whose architecture or shapes do not match. Run now on the "
                 f"{len(evaluation.labels)} test images it scores "
                 f"**{100 * evaluation.metrics['accuracy']:.2f}%**; training recorded "
                 f"{100 * recorded:.2f}% for the same epoch.")
    chapter.text(f"```python\n{inspect.getsource(evaluate_final)}```")


def misclassified(chapter: Chapter, params: AnimalsParams, runs: ClassifierRuns, evaluation,
                  causes: str) -> None:
    """The most confident mistakes with Grad-CAM, and where the network looked when wrong or right."""
    errors = evaluation.errors
    shown = errors[np.argsort(-evaluation.confidence[errors], kind="stable")][:params.figures.misclassified]
    loaded = load_model(runs.final.model_file)
    predicted = torch.as_tensor(evaluation.predictions)
    heat = gradcam_maps(loaded.model, evaluation.images, predicted)
    names = evaluation.class_names
    captions = [f"true {names[evaluation.labels[i]]} → {names[evaluation.predictions[i]]} "
                f"({evaluation.confidence[i]:.2f})" for i in shown]
    if len(shown):
        chapter.figure(figures.gradcam_overlays(evaluation.images[shown], heat[shown], captions,
                                                "Misclassified test images and where the network "
                                                "looked"),
                       f"The {len(shown)} most confident mistakes on the test split (true class → "
                       f"predicted, with its probability), and below each its Grad-CAM map for the "
                       f"predicted class: red regions raised that class's score.")
    correct = np.setdiff1d(np.arange(len(evaluation.labels)), errors)
    share = centre_share(heat)
    chapter.text(evaluating.describe_errors(evaluation, causes))
    if len(errors) and len(correct):
        chapter.text(f"Grad-CAM puts on average {100 * share[correct].mean():.0f}% of its mass in "
                     f"the central window (the middle half of each side) on correctly classified test "
                     f"images and "
                     f"{100 * share[errors].mean():.0f}% on misclassified ones; "
                     + ("the mistakes lean more on edges and background." if share[errors].mean()
                        < share[correct].mean() else
                        "the mistakes look at the animal as much as the right answers do: the "
                        "network found the animal but read it wrongly."))
    chapter.table(evaluating.confused_pairs_table(evaluation), "The most frequent confusions "
                  "on the test split")


def test_metrics(chapter: Chapter, params: AnimalsParams, evaluation, splits) -> None:
    metrics = evaluation.metrics
    chapter.table(pd.DataFrame([{"test images": len(evaluation.labels),
                                 "accuracy": metrics["accuracy"], "macro precision": metrics["precision"],
                                 "macro recall": metrics["recall"], "macro F1": metrics["f1"]}]),
                  "Test metrics of the final model on the untouched test split")
    chapter.table(evaluating.per_class_table({"CNN": evaluation}).drop(columns=["model"]),
                  "Precision, recall and F1 per class on the test split")
    count = params.figures.test_per_class
    positions = np.concatenate([np.flatnonzero(evaluation.labels == label)[:count]
                                for label in range(len(splits.classes))])
    chapter.figure(figures.prediction_gallery(evaluation.images[positions],
                                              evaluation.labels[positions],
                                              evaluation.probabilities[positions], splits.classes,
                                              f"The first {count} test images of each class",
                                              columns=count),
                   f"The first {count} test images of each class with the predicted class and its "
                   f"probability (green right, red wrong).")
    results.record(params, "finals", {"test_accuracy": {"CNN (3 classes)": metrics["accuracy"]}})


def hardest_pair(evaluation) -> str:
    """The two classes most often taken for each other on the test split, in words with counts."""
    confusion = np.array(evaluation.metrics["confusion"])
    mutual = confusion + confusion.T
    np.fill_diagonal(mutual, -1)
    first, second = np.unravel_index(int(mutual.argmax()), mutual.shape)
    names = [evaluation.class_names[c] for c in evaluation.metrics["classes"]]
    total = int(confusion[first].sum() + confusion[second].sum())
    between = int(mutual[first, second])
    return (f"{names[first]} and {names[second]}: {between} of their {total} test images are taken "
            f"for the other ({100 * between / max(total, 1):.1f}%; {names[first]} → "
            f"{names[second]} {int(confusion[first, second])}, {names[second]} → {names[first]} "
            f"{int(confusion[second, first])})")


def confusion_and_probabilities(chapter: Chapter, params: AnimalsParams, evaluation) -> None:
    names = [evaluation.class_names[c] for c in evaluation.metrics["classes"]]
    chapter.figure(figures.confusion_heatmaps(np.array(evaluation.metrics["confusion"]), names,
                                              "Test confusion"),
                   "Confusion matrix of the test split: counts and row-normalized (each row: how "
                   "that true class was classified).")
    per_class = params.figures.probability_maps_per_class
    gallery = evaluating.random_gallery_per_class(evaluation, per_class, params.figures.random_seed)
    drawn = ("a fresh random draw at every execution" if params.figures.random_seed is None
             else f"drawn with seed {params.figures.random_seed}")
    chapter.figure(figures.probability_maps(gallery.images, gallery.labels, gallery.probabilities,
                                            evaluation.class_names, f"Random test images: "
                                            f"{gallery.headline}", columns=per_class),
                   f"{per_class} random test images of each class, a row per class ({drawn}), "
                   f"each above its softmax "
                   f"probabilities over the three classes (predicted bar red, true class outlined): "
                   f"{gallery.headline}.")


def loss_comparison(chapter: Chapter, runs: ClassifierRuns) -> pd.DataFrame:
    study = runs.losses
    table = variant_table(study.names, study.runs, study.chosen_index, {
        "loss": lambda run: run.spec.train.loss,
        "label smoothing": lambda run: run.spec.train.label_smoothing,
        "focal γ": lambda run: run.spec.train.focal_gamma if run.spec.train.loss == "focal" else "",
        "test accuracy": lambda run: run.best["test"]["accuracy"]})
    table = table.drop(columns=["epoch-1 val loss", "epoch-1 train loss"])
    chapter.table(table, f"The same network and settings trained for "
                  f"{study.runs[0].spec.train.epochs} epochs under each loss; validation accuracy "
                  f"chooses (test accuracy shown, never used)", float_format=".4g")
    chapter.figure(figures.loss_comparison_curves({name: history_frame(run) for name, run in
                                                   zip(study.names, study.runs)},
                                                  study.chosen_name, "Losses"),
                   "Validation accuracy and validation cross-entropy per epoch under each loss "
                   "(the chosen one thick).")
    return table


def loss_verdict(runs: ClassifierRuns) -> str:
    study = runs.losses
    base = study.runs[0]
    lines = []
    for name, run in zip(study.names[1:], study.runs[1:]):
        change = 100 * (run.best["val"]["accuracy"] - base.best["val"]["accuracy"])
        lines.append(f"**{name}**: {change:+.2f} points of validation accuracy against "
                     f"{study.names[0]} ({100 * base.best['val']['accuracy']:.2f}%).")
    lines.append(f"Validation keeps **{study.chosen_name}**; its model is the one evaluated in 3(g)–"
                 f"3(j) (test accuracy {100 * runs.final.best['test']['accuracy']:.2f}%).")
    return "\n".join(f"- {line}" for line in lines)
