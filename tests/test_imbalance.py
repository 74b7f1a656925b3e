"""Q5 building blocks: exact, seeded class subsets; two-class restriction; two-class metrics."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from sklearn.metrics import accuracy_score, precision_score, recall_score

from cnnreport.data.splits import class_subset, load_splits, restrict_to_classes
from cnnreport.studies.mnist_svhn.imbalance import case_counts, describe_case
from cnnreport.studies.registry import load_study_params
from cnnreport.training.engine import restricted_predictions
from cnnreport.training.metrics import classification_metrics

from conftest import REPO


@pytest.fixture(scope="module")
def mnist_splits(data_root):
    import os

    os.environ["CNNREPORT_DATA_ROOT"] = str(data_root)
    params = load_study_params("mnist-svhn", "full", root=REPO)
    return params, load_splits(params, "mnist")


@pytest.mark.parametrize("case, expected", [(1, {1: 50, 2: 1000}), (2, {1: 500, 2: 1000})])
def test_case_subsets_have_exact_counts_and_are_deterministic(mnist_splits, case, expected):
    params, splits = mnist_splits
    labels = splits.train.labels.numpy()
    counts = case_counts(params, case)
    assert counts == expected
    chosen = class_subset(labels, counts, params.seed)
    assert {c: int((labels[chosen] == c).sum()) for c in (1, 2)} == expected
    assert len(chosen) == sum(expected.values()) and set(labels[chosen]) == {1, 2}
    assert np.array_equal(chosen, class_subset(labels, counts, params.seed))
    assert not np.array_equal(chosen, class_subset(labels, counts, params.seed + 1))


def test_case_three_takes_every_image_of_both_classes(mnist_splits):
    params, splits = mnist_splits
    labels = splits.train.labels.numpy()
    chosen = class_subset(labels, case_counts(params, 3), params.seed)
    assert len(chosen) == int(((labels == 1) | (labels == 2)).sum())
    assert describe_case(params, 1) == "50 images of class 1 and 1,000 images of class 2"
    assert describe_case(params, 3) == "all images of class 1 and all images of class 2"


def test_asking_for_more_images_than_exist_names_the_class(mnist_splits):
    params, splits = mnist_splits
    with pytest.raises(ValueError, match="class 1 has \\d+ training images, fewer than the "
                                         "99999 asked for"):
        class_subset(splits.train.labels.numpy(), {1: 99999, 2: 10}, 42)
    with pytest.raises(ValueError, match="unknown imbalance case 4; choose one of: \\[1, 2, 3\\]"):
        case_counts(params, 4)


def test_validation_and_test_hold_only_classes_one_and_two(mnist_splits):
    _, splits = mnist_splits
    for split in ("val", "test"):
        restricted = restrict_to_classes(splits[split], (1, 2))
        assert set(restricted.labels.tolist()) == {1, 2}
        expected = int(((splits[split].labels == 1) | (splits[split].labels == 2)).sum())
        assert len(restricted) == expected


def test_two_class_metrics_agree_with_scikit_learn():
    rng = np.random.default_rng(0)
    labels = rng.choice([1, 2], size=500, p=[0.2, 0.8])
    logits = torch.from_numpy(rng.normal(size=(500, 10)).astype(np.float32))
    logits[:, 0] += 5  # a class outside the pair must never be predicted
    predictions = restricted_predictions(logits, (1, 2)).numpy()
    assert set(predictions) <= {1, 2}
    metrics = classification_metrics(labels, predictions, (1, 2))
    assert metrics["accuracy"] == pytest.approx(accuracy_score(labels, predictions))
    assert metrics["precision"] == pytest.approx(
        precision_score(labels, predictions, labels=[1, 2], average="macro", zero_division=0))
    assert metrics["recall"] == pytest.approx(
        recall_score(labels, predictions, labels=[1, 2], average="macro"))
    assert metrics["per_class"]["1"]["recall"] == pytest.approx(
        recall_score(labels, predictions, labels=[1], average="macro"))
    assert np.array(metrics["confusion"]).shape == (2, 2)
    assert np.array(metrics["confusion"]).sum() == 500
