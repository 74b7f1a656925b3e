"""Tables and sentences about training runs, read from the runs' files and histories."""

from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

from ..training.runs import Run

MACRO_COLUMNS = ["epoch", "loss", "accuracy", "precision", "recall", "f1"]


def read_metric_file(run: Run, split: str) -> pd.DataFrame:
    """A run's per-epoch metric text file, parsed back (the report shows what the files say)."""
    return pd.read_csv(run.metric_files()[split], sep=r"\s+")


def final_metrics_table(run: Run) -> pd.DataFrame:
    """Validation and test metrics at the best-validation epoch (the kept model) and the last one."""
    rows = []
    for label, record in (("best validation", run.best), ("last", run.last)):
        for split in ("val", "test"):
            values = record[split]
            rows.append({"model": f"{label} (epoch {record['epoch']})",
                         "split": "validation" if split == "val" else "test",
                         "accuracy": values["accuracy"], "precision": values["precision"],
                         "recall": values["recall"], "f1": values["f1"], "loss": values["loss"]})
    return pd.DataFrame(rows)


def history_frame(run: Run) -> pd.DataFrame:
    """Per epoch: validation and test accuracy, training and validation loss (for curves)."""
    return pd.DataFrame({
        "epoch": [record["epoch"] for record in run.history],
        "val_accuracy": [record["val"]["accuracy"] for record in run.history],
        "test_accuracy": [record["test"]["accuracy"] for record in run.history],
        "train_loss": [record["train"]["loss"] for record in run.history],
        "val_loss": [record["val"]["loss"] for record in run.history],
        "test_loss": [record["test"]["loss"] for record in run.history]})


OVERFIT_RISE = 0.05  # a test loss this far above its lowest is read as over-fitting


def describe_loss_curves(run: Run, name: str) -> str:
    """What a run's train and test loss curves show, read from the numbers: where the test loss is
    lowest, whether it rises after that while the training loss keeps falling (over-fitting), and
    the gap between the two at the end."""
    frame = history_frame(run)
    lowest = int(frame["test_loss"].idxmin())
    low_epoch, last = int(frame["epoch"][lowest]), frame.iloc[-1]
    lowest_loss = frame["test_loss"][lowest]
    text = (f"{name}: training loss {frame['train_loss'].iloc[0]:.3f} → {last['train_loss']:.3f}, "
            f"test loss {frame['test_loss'].iloc[0]:.3f} → {last['test_loss']:.3f}, lowest "
            f"({lowest_loss:.3f}) at epoch {low_epoch} of {len(frame)}. ")
    rise = last["test_loss"] - lowest_loss
    if low_epoch == len(frame):
        text += "The test loss is lowest at the last epoch: training stopped before over-fitting. "
    elif rise > OVERFIT_RISE * lowest_loss and last["train_loss"] < frame["train_loss"][lowest]:
        text += (f"After epoch {low_epoch} the training loss still falls while the test loss rises "
                 f"by {rise:.2g} ({100 * rise / lowest_loss:.0f}%): over-fitting sets in there; the "
                 f"kept model is the best-validation epoch ({run.best_epoch}), not the last. ")
    else:
        text += (f"After epoch {low_epoch} the test loss levels off (it ends within "
                 f"{100 * OVERFIT_RISE:.0f}% of its lowest) while the training loss keeps falling: "
                 f"the last epochs fit the training images without helping new ones, the first "
                 f"sign of over-fitting. ")
    gap = last["test_loss"] - last["train_loss"]
    return text + (f"At the end the test loss is {gap:+.3f} from the training loss "
                   + ("(the network fits its training images better than new ones)." if gap > 0
                      else "(the training loss is averaged over an epoch while the weights still "
                            "improve, and taken with augmentation, dropout and label smoothing where "
                            "they are on)."))


def seed_spread(runs: list[Run], split: str = "test") -> dict:
    """Accuracy of the kept (best-validation) epoch over repeated runs: values, mean and std."""
    values = np.array([run.best[split]["accuracy"] for run in runs])
    return {"runs": len(values), "values": values.tolist(), "mean": float(values.mean()),
            "std": float(values.std(ddof=1)) if len(values) > 1 else 0.0,
            "min": float(values.min()), "max": float(values.max())}


def epoch_table(run: Run) -> pd.DataFrame:
    """Per epoch, from the run's metric text files: training and validation loss, validation and
    test accuracy (what assignments ask to 'monitor and record')."""
    train, val, test = (read_metric_file(run, split) for split in ("train", "val", "test"))
    return pd.DataFrame({"epoch": train["epoch"], "train loss": train["loss"],
                         "validation loss": val["loss"], "validation accuracy": val["accuracy"],
                         "test accuracy": test["accuracy"]})


def describe_training(run: Run) -> list[str]:
    """Sentences read from the numbers: how the losses moved, where validation loss bottomed out,
    which epoch was kept and what it scores."""
    table = epoch_table(run)
    first, last = table.iloc[0], table.iloc[-1]
    lowest = table.loc[table["validation loss"].idxmin()]
    lines = [f"Training loss falls from {first['train loss']:.4f} after epoch 1 to "
             f"{last['train loss']:.4f} after epoch {int(last['epoch'])}; validation loss from "
             f"{first['validation loss']:.4f} to {last['validation loss']:.4f}."]
    if lowest["epoch"] < last["epoch"] and last["validation loss"] > lowest["validation loss"]:
        lines.append(f"Validation loss is lowest at epoch {int(lowest['epoch'])} "
                     f"({lowest['validation loss']:.4f}) and {last['validation loss']:.4f} at the "
                     f"end: the onset of over-fitting, with training loss still falling.")
    else:
        lines.append(f"Validation loss is lowest at the last epoch: no sign of over-fitting within "
                     f"{int(last['epoch'])} epochs; more epochs could still help.")
    gap = last["validation loss"] - last["train loss"]
    lines.append(f"At the end validation loss is {abs(gap):.4f} {'above' if gap > 0 else 'below'} "
                 f"training loss.")
    best = run.best
    lines.append(f"The kept model is epoch {run.best_epoch} (best validation accuracy "
                 f"{100 * best['val']['accuracy']:.2f}%): test accuracy "
                 f"{100 * best['test']['accuracy']:.2f}%; the last epoch gives "
                 f"{100 * run.last['test']['accuracy']:.2f}%.")
    return lines


def variant_table(names: list[str], runs: list[Run], chosen: int,
                  settings: dict[str, Callable[[Run], object]]) -> pd.DataFrame:
    """One row per compared variant: its settings, best validation accuracy and loss, the epoch it
    was reached, first-epoch losses, training time, and which one was chosen."""
    rows = []
    for index, (name, run) in enumerate(zip(names, runs)):
        best, first = run.best, run.history[0]
        rows.append({"variant": name, **{key: describe(run) for key, describe in settings.items()},
                     "best val accuracy": best["val"]["accuracy"], "val loss": best["val"]["loss"],
                     "best epoch": best["epoch"], "epoch-1 train loss": first["train"]["loss"],
                     "epoch-1 val loss": first["val"]["loss"],
                     "train seconds": run.training_seconds(),
                     "chosen": "yes" if index == chosen else ""})
    return pd.DataFrame(rows)


def per_class_scores(run: Run, class_names: tuple[str, ...], split: str = "test") -> pd.DataFrame:
    """Precision, recall and F1 per class at the kept (best-validation) epoch."""
    scores = run.best[split]["per_class"]
    return pd.DataFrame([{"class": class_names[int(label)], **{key: values[key] for key in
                                                               ("precision", "recall", "f1", "support")}}
                         for label, values in scores.items()])
