"""Stratified train/validation/test splits with a fingerprint, saved under `artifacts/splits/`.

By default the official train and test parts are pooled and re-split (70/10/20 where the assignment
asks so); with `data.split.test_part: official` the official test part is the test split and
validation is carved from the official train part. Both are stratified by class with scikit-learn
and a fixed seed, so the same params give the same indices on any machine. The fingerprint covers the data, the fractions, the seed and any cap; run hashes include
it, so a changed split can never reuse a model trained on another.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace

import numpy as np

from ..common import atomic
from ..common.paths import artifacts_dir
from ..config.sections import SplitFractions, StudyParams
from .image_set import ImageSet, fit_size
from .label_maps import apply_label_map
from .registry import load_dataset

SPLIT_NAMES = ("train", "val", "test")


def train_test_split(*arrays, **options):
    """scikit-learn's stratified split, imported when first needed: importing scikit-learn costs
    seconds, which every chapter kernel and the demo would pay at start even when splits are cached."""
    from sklearn.model_selection import train_test_split as split

    return split(*arrays, **options)
SPLIT_TITLES = {"train": "train", "val": "validation", "test": "test"}


@dataclass(frozen=True)
class SplitIndices:
    """Indices into the pooled dataset for each split, sorted ascending."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray
    fingerprint: str

    def __getitem__(self, split: str) -> np.ndarray:
        return getattr(self, split)


@dataclass(frozen=True)
class DatasetSplits:
    """A dataset cut into its three splits; each split is an ImageSet of its own."""

    name: str
    train: ImageSet
    val: ImageSet
    test: ImageSet
    indices: SplitIndices

    def __getitem__(self, split: str) -> ImageSet:
        return getattr(self, split)

    @property
    def fingerprint(self) -> str:
        return self.indices.fingerprint

    label_map: dict | None = None  # merged classes: new class name -> source class names

    def definition(self, params: StudyParams) -> dict:
        """What rebuilds this split from the data root alone (saved in runs and model files)."""
        fractions = params.data.split
        official = {"test_part": "official"} if fractions.test_part == "official" else {}
        official.update({"per_class": True} if fractions.per_class else {})
        # a stand-in's size matters only to a stand-in: profiles that differ in it share real runs
        stand_in = ({"stand_in_images": params.data.stand_in_images}
                    if self.train.source == "stand-in" else {})
        return {"fingerprint": self.fingerprint, "dataset": self.name, "seed": params.seed,
                "source": self.train.source, "train": fractions.train,
                "val": fractions.val, "test": fractions.test, **official,
                "max_images": params.data.max_images, **stand_in,
                "image_size": params.data.image_size, "channels": params.data.channels,
                "label_map": self.label_map}

    @property
    def display_name(self) -> str:
        return self.train.display_name

    @property
    def classes(self) -> tuple[str, ...]:
        return self.train.classes

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) the study feeds its models for these images."""
        return self.train.input_shape


def split_fingerprint(data_fingerprint: str, fractions: SplitFractions, seed: int,
                      max_images: int | None) -> str:
    # the pooled default adds no key, so its fingerprints (and run ids) stay as they were
    official = {"test_part": "official"} if fractions.test_part == "official" else {}
    official.update({"per_class": True} if fractions.per_class else {})
    described = json.dumps({"data": data_fingerprint, "train": fractions.train,
                            "val": fractions.val, "test": fractions.test, "seed": seed,
                            "max_images": max_images, **official}, sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()[:12]


def make_split(labels: np.ndarray, fractions: SplitFractions, seed: int,
               max_images: int | None = None, official_train: int | None = None
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Stratified indices for train, val and test (a stratified cap first, when one is given).

    `official_train`: how many of the pooled images (the first ones) are the official train part,
    needed when `fractions.test_part` is official."""
    pool = np.arange(len(labels))
    if max_images is not None and max_images < len(pool):
        pool = stratified_subset(labels, max_images, seed)
    if fractions.test_part == "official":
        return _official_split(labels, pool, fractions, seed, official_train)
    if fractions.per_class:
        return _per_class_split(labels, pool, fractions, seed)
    test_size = int(round(len(pool) * fractions.test))  # integer sizes: 0.1 / 0.8 is not 0.125
    val_size = int(round(len(pool) * fractions.val))
    train_val, test = train_test_split(pool, test_size=test_size, stratify=labels[pool],
                                       random_state=seed)
    train, val = train_test_split(train_val, test_size=val_size, stratify=labels[train_val],
                                  random_state=seed)
    return np.sort(train), np.sort(val), np.sort(test)


def _official_split(labels: np.ndarray, pool: np.ndarray, fractions: SplitFractions, seed: int,
                    official_train: int | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The official test part as the test split; validation carved (stratified) from the official
    train part."""
    if official_train is None:
        raise ValueError("data.split.test_part is official, but this dataset has no official test "
                         "part; choose test_part: pooled")
    train_pool, test = pool[pool < official_train], pool[pool >= official_train]
    val_size = int(round(len(train_pool) * fractions.val))
    train, val = train_test_split(train_pool, test_size=val_size, stratify=labels[train_pool],
                                  random_state=seed)
    return np.sort(train), np.sort(val), np.sort(test)


def _per_class_split(labels: np.ndarray, pool: np.ndarray, fractions: SplitFractions,
                     seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each class shuffled (seeded) and cut on its own: round(n_c x val) validation images,
    round(n_c x test) test images, the rest train; exact per class even when classes differ in
    size."""
    generator = np.random.default_rng(seed)
    parts: tuple[list, list, list] = ([], [], [])
    for label in np.unique(labels[pool]):
        members = generator.permutation(pool[labels[pool] == label])
        test_size = int(round(len(members) * fractions.test))
        val_size = int(round(len(members) * fractions.val))
        parts[2].append(members[:test_size])
        parts[1].append(members[test_size:test_size + val_size])
        parts[0].append(members[test_size + val_size:])
    return tuple(np.sort(np.concatenate(part)) for part in parts)


def split_indices(dataset: ImageSet, params: StudyParams) -> SplitIndices:
    """Load the saved split for these params, or make it and save it atomically."""
    fingerprint = split_fingerprint(dataset.fingerprint, params.data.split, params.seed,
                                    params.data.max_images)
    path = artifacts_dir() / "splits" / f"{dataset.name}-{fingerprint}.npz"
    if path.is_file():
        with np.load(path) as saved:
            return SplitIndices(saved["train"], saved["val"], saved["test"], fingerprint)
    train, val, test = make_split(dataset.labels.numpy(), params.data.split, params.seed,
                                  params.data.max_images, dataset.official_train)
    atomic.write_with(path, lambda temporary: _save_npz(temporary, train=train, val=val, test=test))
    return SplitIndices(train, val, test, fingerprint)


def load_splits(params: StudyParams, name: str, label_map: dict | None = None) -> DatasetSplits:
    """The dataset `name` at the study's image size, cut into train/val/test ImageSets.

    The split is drawn on the dataset's own classes, so a label map (merged classes) sees exactly
    the images of the unmerged split in each part.
    """
    dataset = load_dataset(params, name)
    indices = split_indices(dataset, params)
    dataset = replace(dataset, images=fit_size(dataset.images, params.data.image_size),
                      feed_channels=params.data.channels)
    if label_map:
        dataset = apply_label_map(dataset, label_map)
    return DatasetSplits(name, *(dataset.take(indices[split]) for split in SPLIT_NAMES), indices,
                         label_map)


def _save_npz(path, **arrays) -> None:
    with open(path, "wb") as handle:
        np.savez(handle, **arrays)


def stratified_subset(labels: np.ndarray, size: int, seed: int) -> np.ndarray:
    """`size` positions of `labels`, keeping class shares (sorted ascending)."""
    if size >= len(labels):
        return np.arange(len(labels))
    chosen, _ = train_test_split(np.arange(len(labels)), train_size=size, stratify=labels,
                                 random_state=seed)
    return np.sort(chosen)


def class_subset(labels: np.ndarray, counts: dict[int, int | None], seed: int) -> np.ndarray:
    """Positions with exactly `counts[c]` images of each class c (None: all of them), seeded."""
    generator = np.random.default_rng(seed)
    chosen = []
    for label, count in sorted(counts.items()):
        positions = np.flatnonzero(labels == label)
        if count is not None and count > len(positions):
            raise ValueError(f"class {label} has {len(positions)} training images, fewer than the "
                             f"{count} asked for")
        chosen.append(positions if count is None else
                      np.sort(generator.choice(positions, size=count, replace=False)))
    return np.sort(np.concatenate(chosen))


def restrict_to_classes(image_set: ImageSet, classes) -> ImageSet:
    """Only the images whose label is in `classes` (order kept)."""
    keep = np.isin(image_set.labels.numpy(), list(classes))
    return image_set.take(np.flatnonzero(keep))
