"""The summary chapter's numbers: every final network beside the assignment's expectation and this
project's target, recorded for the index of all reports."""

from __future__ import annotations

import pandas as pd

from ...analysis import results
from .experiments import network_runs, network_splits
from .params import NETWORKS, MnistCifarParams


def finals_table(params: MnistCifarParams) -> pd.DataFrame:
    """One row per network: part, data, architecture, epochs, test accuracy, expectation, target."""
    rows = []
    for key, network in NETWORKS.items():
        final = network_runs(params, key).final
        accuracy = final.best["test"]["accuracy"]
        rows.append({"part": network.part, "network": network.title,
                     "data": network_splits(params, key).display_name,
                     "architecture": final.spec.model.tag(), "epochs": len(final.history),
                     "test accuracy": accuracy, "assignment expects": network.expected,
                     "target": network.target, "target met": "yes" if accuracy >= network.target else "no"})
    return pd.DataFrame(rows)


def record_finals(params: MnistCifarParams, table: pd.DataFrame) -> None:
    results.record(params, "finals", {"test_accuracy": {
        f"part {row['part']} {row['network']}": row["test accuracy"] for _, row in table.iterrows()}})
