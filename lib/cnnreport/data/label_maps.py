"""Label maps: a view of a dataset with classes merged into new, named classes.

The images stay the same; only labels and class names change (e.g. MNIST digits {0, 6} -> "0/6").
A map names every source class exactly once, so no image is dropped or counted twice.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace

import torch

from .image_set import ImageSet


class LabelMapError(ValueError):
    """A label map does not cover the dataset's classes exactly once."""


def check_groups(groups: dict[str, list[str]], classes: tuple[str, ...], key: str) -> list[str]:
    """Problems of `groups` (new class -> source class names) against the dataset's classes."""
    problems = []
    named = [str(member) for members in groups.values() for member in members]
    unknown = sorted(set(named) - set(classes))
    if unknown:
        problems.append(f"{key}: unknown source classes {unknown}; the dataset's classes are "
                        f"{', '.join(classes)}")
    twice = sorted({name for name in named if named.count(name) > 1})
    if twice:
        problems.append(f"{key}: classes {twice} are in more than one group")
    missing = [name for name in classes if name not in named]
    if missing:
        problems.append(f"{key}: classes {missing} are in no group; every class needs one")
    return problems


def apply_label_map(image_set: ImageSet, groups: dict[str, list[str]]) -> ImageSet:
    """`image_set` with labels of the merged classes, in the order the groups are listed."""
    problems = check_groups(groups, image_set.classes, "label map")
    if problems:
        raise LabelMapError("; ".join(problems))
    lookup = torch.empty(len(image_set.classes), dtype=torch.long)
    for new_label, members in enumerate(groups.values()):
        for member in members:
            lookup[image_set.classes.index(str(member))] = new_label
    described = json.dumps({name: [str(m) for m in members] for name, members in groups.items()})
    fingerprint = hashlib.sha256(f"{image_set.fingerprint}|{described}".encode()).hexdigest()[:16]
    return replace(image_set, labels=lookup.to(image_set.labels.device)[image_set.labels],
                   classes=tuple(groups), fingerprint=fingerprint)


def source_to_group(groups: dict[str, list[str]], classes: tuple[str, ...]) -> list[int]:
    """For each source class index, the index of its merged class."""
    group_of = {str(member): index for index, members in enumerate(groups.values())
                for member in members}
    return [group_of[name] for name in classes]
