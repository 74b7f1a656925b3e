"""The 70/10/20 split: exact sizes, stratified, disjoint, reproducible, seed-dependent."""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from cnnreport.data.registry import load_dataset
from cnnreport.analysis.dataset_summary import first_images_per_class, split_size_table, stratification_gap
from cnnreport.data.splits import load_splits, make_split, split_indices


def test_mnist_split_sizes_are_exact(full_params):
    splits = load_splits(full_params, "mnist")
    assert (len(splits.train), len(splits.val), len(splits.test)) == (49000, 7000, 14000)


def test_splits_are_disjoint_and_cover_the_pool(full_params):
    indices = split_indices(load_dataset(full_params, "mnist"), full_params)
    union = np.concatenate([indices.train, indices.val, indices.test])
    assert len(np.unique(union)) == len(union) == 70000


def test_every_class_keeps_its_share_within_half_a_point(full_params):
    splits = load_splits(full_params, "mnist")
    assert stratification_gap(splits) < 0.5
    table = split_size_table(splits).set_index("class")
    assert table.loc["all", "total"] == 70000
    assert abs(table.loc["3", "train %"] - 70.0) < 0.5


def test_same_params_same_indices_other_seed_other_indices(full_params):
    labels = load_dataset(full_params, "mnist").labels.numpy()
    saved = split_indices(load_dataset(full_params, "mnist"), full_params)
    again = make_split(labels, full_params.data.split, 42)
    assert all(np.array_equal(a, b) for a, b in zip(again, (saved.train, saved.val, saved.test)))
    other = make_split(labels, full_params.data.split, 43)
    assert not np.array_equal(other[2], saved.test)
    reloaded = split_indices(load_dataset(full_params, "mnist"), full_params)
    assert reloaded.fingerprint == saved.fingerprint and np.array_equal(reloaded.test, saved.test)
    reseeded = dataclasses.replace(full_params, seed=43)
    assert split_indices(load_dataset(reseeded, "mnist"), reseeded).fingerprint != saved.fingerprint


def test_capped_split_is_stratified_and_exact(full_params):
    capped = dataclasses.replace(full_params, data=dataclasses.replace(full_params.data,
                                                                       max_images=6000))
    splits = load_splits(capped, "mnist")
    assert (len(splits.train), len(splits.val), len(splits.test)) == (4200, 600, 1200)
    assert stratification_gap(splits) < 0.5


def test_first_two_images_per_class_and_split(full_params):
    splits = load_splits(full_params, "mnist")
    samples = first_images_per_class(splits, per_class=2)
    assert list(samples) == ["train", "validation", "test"]
    assert sum(len(images) for split in samples.values() for images in split) == 60
    first_three = splits.train.images[torch.nonzero(splits.train.labels == 3).flatten()[:2]]
    assert torch.equal(samples["train"][3], first_three)


def test_per_class_split_has_exact_counts_on_an_uneven_folder():
    from cnnreport.config.sections import SplitFractions

    labels = np.repeat([0, 1, 2], [1000, 503, 47])  # classes of different sizes
    fractions = SplitFractions(train=0.7, val=0.1, test=0.2, per_class=True)
    train, val, test = make_split(labels, fractions, seed=42)
    for label, size in ((0, 1000), (1, 503), (2, 47)):
        counts = [int((labels[part] == label).sum()) for part in (train, val, test)]
        assert counts == [size - round(size * 0.1) - round(size * 0.2), round(size * 0.1),
                          round(size * 0.2)], (label, counts)
    assert len(set(train) | set(val) | set(test)) == len(labels)
    again = make_split(labels, fractions, seed=42)
    assert all((a == b).all() for a, b in zip((train, val, test), again))
    assert not (make_split(labels, fractions, seed=43)[2] == test).all()
