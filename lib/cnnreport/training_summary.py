"""Tables and sentences about training runs (Q2), read from the runs' files and histories."""

from __future__ import annotations

import pandas as pd

from .experiments import StudyResult
from .runs import Run

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


def study_findings(study: StudyResult) -> list[str]:
    """One sentence per studied factor: each value tried and its best validation accuracy."""
    table = study.table().set_index("variant")
    baseline = table.loc["baseline", "best val accuracy"] if "baseline" in table.index else None
    factors: dict[str, list[tuple[str, float]]] = {}
    for variant in study.variants:
        for key, value in variant.overrides.items():
            factors.setdefault(key.split(".", 1)[1], []).append(
                (f"{value}", table.loc[variant.name, "best val accuracy"]))
    lines = []
    baseline_values = {}
    if baseline is not None:
        spec = study.runs[[v.name for v in study.variants].index("baseline")].spec
        baseline_values = {"optimizer": spec.train.optimizer, "learning_rate": spec.train.learning_rate,
                           "batch_size": spec.train.batch_size, "activation": spec.model.activation}
    for factor, tried in factors.items():
        if factor in baseline_values:
            tried = [(f"{baseline_values[factor]} (baseline)", baseline)] + tried
        best_value, best_score = max(tried, key=lambda item: item[1])
        listed = ", ".join(f"{value}: {100 * score:.2f}%" for value, score in tried)
        lines.append(f"**{factor.replace('_', ' ')}**: {listed}; best {best_value}.")
    return lines
