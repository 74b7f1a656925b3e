"""What every part of the mnist-cifar100 report shows for a network, as chapter calls.

Parts 1, 2 and 3 of assignment 002 ask the same things of each network (the settings compared,
train and test loss curves and what they show, test accuracy, a model summary, random test
predictions "k of 10 correct"); the chapters call these so each part says it the same way and the
numbers come from the saved runs and models only.
"""

from __future__ import annotations

import pandas as pd
from torchinfo import summary

from ...analysis import evaluation as evaluating
from ...analysis.embedding import project
from ...analysis.inference import load_model
from ...analysis.training_tables import describe_loss_curves, epoch_table, history_frame, variant_table
from ...book import figures
from ...book.chapter import Chapter
from ...data.registry import data_notice, load_dataset
from ...models import count_parameters
from .experiments import NetworkRuns, network_splits


def part_intro(chapter: Chapter, params, key: str) -> None:
    """The part's data in one paragraph, with the stand-in notice where the data are one."""
    splits = network_splits(params, key)
    chapter.text(
        f"{splits.display_name}: {len(splits.classes)} classes, {splits.train.shape[0]}-channel "
        f"{splits.train.shape[1]}×{splits.train.shape[2]} images; {len(splits.train):,} training, "
        f"{len(splits.val):,} validation and {len(splits.test):,} test images (split: "
        f"{params.data.split.description()}, seed {params.seed}, fingerprint `{splits.fingerprint}`). "
        f"Every choice below is made on the validation split; test numbers are only reported.")
    if splits.train.source == "stand-in":  # the notice states the whole stand-in's size
        notice = data_notice(load_dataset(params, splits.name), params)
        chapter.text(f"> **Data notice.** {notice}")


def comparison(chapter: Chapter, runs: NetworkRuns, splits, what: str) -> None:
    """The variants of one network, a table and validation curves, and the choice."""
    study = runs.study
    table = variant_table(study.names, study.runs, study.chosen_index, {
        "architecture": lambda run: run.spec.model.tag(),
        "parameters": lambda run: count_parameters(load_model(run.model_file).model),
        "optimizer": lambda run: run.spec.train.optimizer,
        "learning rate": lambda run: run.spec.train.learning_rate,
        "schedule": lambda run: run.spec.train.schedule,
        "test accuracy": lambda run: run.best["test"]["accuracy"]})
    chapter.table(table.drop(columns=["epoch-1 val loss"]),
                  f"{runs.network.title[0].upper()}{runs.network.title[1:]}: {what}, one factor at a "
                  f"time, "
                  f"{study.runs[0].spec.train.epochs} epoch(s) each; validation accuracy chooses "
                  f"(test accuracy shown, never used)", float_format=".4g")
    chapter.figure(figures.study_curves(study.validation_curves(), study.chosen_name,
                                        f"{runs.network.title}: validation accuracy"),
                   f"Validation accuracy per epoch of every {runs.network.title} variant; the "
                   f"chosen one is drawn thick.")
    train = runs.final.spec.train
    chapter.text(f"**Chosen: {study.chosen_name}** (best validation accuracy "
                 f"{100 * study.runs[study.chosen_index].best['val']['accuracy']:.2f}%), then trained "
                 f"for {train.epochs} epochs on all {len(splits.train):,} training images with "
                 f"{train.augmentation()}, {train.optimizer} ({train.schedule} schedule, peak "
                 f"learning rate {train.learning_rate:g}, batch {train.batch_size}); loss: "
                 f"{LOSS_NAMES[train.loss]}.")


LOSS_NAMES = {"torch": "PyTorch's cross-entropy",
              "handwritten": "the cross-entropy written without torch.nn"}


def loss_curves(chapter: Chapter, named_runs: dict[str, NetworkRuns], what: str) -> None:
    """Per-epoch tables and one figure of train and test loss of the final networks."""
    for name, runs in named_runs.items():
        chapter.table(epoch_table(runs.final), f"{name} per epoch, read from `metrics_*.txt` of run "
                      f"`{runs.final.run_id}`")
    chapter.figure(figures.train_test_curves({name: history_frame(runs.final)
                                              for name, runs in named_runs.items()}, what),
                   "Training loss (solid) and test loss (dashed) per epoch, and test accuracy, "
                   "of the final networks.")


def loss_reading(chapter: Chapter, named_runs: dict[str, NetworkRuns]) -> None:
    chapter.text("\n\n".join(describe_loss_curves(runs.final, name)
                             for name, runs in named_runs.items()))


def predictions(chapter: Chapter, params, name: str, runs: NetworkRuns, splits) -> float:
    """Test accuracy, model summary and a random "k of n correct" gallery of the final network."""
    loaded = load_model(runs.final.model_file)
    evaluation = evaluating.evaluate(loaded, splits.test, name, f"{splits.display_name} test")
    accuracy = evaluation.metrics["accuracy"]
    chapter.text(f"**{name} test accuracy: {100 * accuracy:.2f}%** (kept epoch "
                 f"{runs.final.best_epoch}, macro precision "
                 f"{100 * evaluation.metrics['precision']:.2f}%, macro recall "
                 f"{100 * evaluation.metrics['recall']:.2f}%; "
                 f"{count_parameters(loaded.model):,} parameters).")
    model_summary = summary(loaded.model, input_size=(1, *loaded.model.input_shape), verbose=0,
                            col_names=("output_size", "num_params"), depth=3)
    chapter.text(f"Model summary (torchinfo):\n\n```\n{model_summary}\n```")
    gallery = evaluating.random_gallery(evaluation, params.gallery_images, params.gallery_seed)
    chapter.figure(figures.prediction_gallery(gallery.images, gallery.labels, gallery.probabilities,
                                              splits.classes, f"Random predictions: {name}, "
                                              f"{gallery.headline}", columns=5),
                   f"{len(gallery.labels)} random test images with the predicted class and its "
                   f"probability (green right, red wrong): {gallery.headline}.")
    return accuracy


def feature_projections(chapter: Chapter, params, named_runs: dict[str, NetworkRuns], splits) -> None:
    """t-SNE (or UMAP, as `embedding.method` says) of each final network's feature layer on the
    test split, coloured by class, with the kNN accuracy and silhouette of the 2-D points."""
    rows = []
    for name, runs in named_runs.items():
        loaded = load_model(runs.final.model_file)
        projection = project(loaded, splits.test, params.embedding, params.seed)
        chapter.figure(figures.projection_scatter(projection, f"{projection.method}: {name}, last "
                                                  f"hidden layer ({splits.display_name} test)"),
                       f"{projection.method} of the {name}'s last hidden layer (the input of its "
                       f"output layer) for {projection.points:,} test images, coloured by true class.")
        rows.append({"network": name, "points": projection.points, **projection.scores})
    chapter.table(pd.DataFrame(rows), f"How well the classes separate in the 2-D "
                  f"{projection.method}: 5-fold kNN accuracy and silhouette (higher is better)")


def ablation_reading(runs: NetworkRuns) -> str:
    """Each ablation against the baseline in words: validation accuracy gained or lost and the
    training time it took, from the runs' own records."""
    study = runs.study
    base = study.runs[study.names.index("baseline")] if "baseline" in study.names else study.runs[0]
    base_accuracy, base_seconds = base.best["val"]["accuracy"], base.training_seconds()
    lines = []
    for name, run in zip(study.names, study.runs):
        if run is base:
            continue
        change = 100 * (run.best["val"]["accuracy"] - base_accuracy)
        ratio = run.training_seconds() / base_seconds if base_seconds else float("nan")
        lines.append(f"**{name}**: {change:+.2f} points of validation accuracy against the "
                     f"baseline ({100 * base_accuracy:.2f}%), in {ratio:.2f}× its training time.")
    best = study.chosen_name
    lines.append(f"The highest validation accuracy is **{best}**'s, so it is the one trained to the "
                 f"end. A change that costs accuracy says what the baseline needs; one that gains "
                 f"little for much time is not worth its cost.")
    return "\n".join(f"- {line}" for line in lines)
