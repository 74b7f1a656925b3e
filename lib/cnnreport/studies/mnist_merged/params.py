"""Params of the mnist-merged study (assignment 004): a prescribed network trained on the ten
digits and on merged classes, each experiment repeated over several seeds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Iterator, Optional

from ...config.sections import StudyParams, TrainConfig
from ...data.label_maps import check_groups
from ...data.registry import get_dataset
from ...models.layers import LayersConfig


@dataclass(frozen=True)
class ExperimentConfig:
    name: str  # key of its runs, results and final model, e.g. "original"
    section: str  # the assignment's section number of its results, e.g. "5"
    title: str  # e.g. "Experiment 1: Results"
    label_map: Optional[str] = None  # a key of `label_maps`; None: the dataset's own classes
    sample_accuracy: Optional[float] = None  # test accuracy the assignment's sample report states


@dataclass(frozen=True)
class BatchSizeRule:
    """The assignment's rule: the last three digits of the roll number decide the batch size."""

    divisible_by: tuple[tuple[int, int], ...] = ((2, 32), (3, 16))  # (divisor, batch size), in order
    otherwise: int = 20

    def apply(self, roll_number: str) -> tuple[int, str]:
        """The batch size and why, e.g. (16, "207 is divisible by 3")."""
        digits = last_three_digits(roll_number)
        for divisor, batch_size in self.divisible_by:
            if digits % divisor == 0:
                return batch_size, f"{digits:03d} is divisible by {divisor}"
        divisors = " nor ".join(str(divisor) for divisor, _ in self.divisible_by)
        return self.otherwise, f"{digits:03d} is divisible by neither {divisors}"

    def problems(self) -> Iterator[str]:
        for index, pair in enumerate(self.divisible_by):
            if len(pair) != 2 or min(pair) <= 0:
                yield f"divisible_by[{index}] must be [divisor, batch size], both positive, got {pair}"
        if self.otherwise <= 0:
            yield f"otherwise must be positive, got {self.otherwise}"


def last_three_digits(roll_number: str) -> int:
    digits = re.search(r"(\d{1,3})\D*$", str(roll_number))
    if digits is None:
        raise ValueError(f"roll number {roll_number!r} ends in no digits")
    return int(digits.group(1))


@dataclass(frozen=True)
class MnistMergedParams(StudyParams):
    model: LayersConfig = field(default_factory=LayersConfig)
    train: TrainConfig = field(default_factory=TrainConfig)  # batch size: from batch_size_rule
    roll_number: str = "000"  # the student's roll number; its last three digits pick the batch size
    batch_size_rule: BatchSizeRule = field(default_factory=BatchSizeRule)
    seeds: tuple[int, ...] = (42,)  # training seeds of every experiment; the first is shown in detail
    label_maps: dict = field(default_factory=dict)  # name -> {merged class: [source class names]}
    experiments: tuple[ExperimentConfig, ...] = ()

    @property
    def batch_size(self) -> int:
        return self.batch_size_rule.apply(self.roll_number)[0]

    def train_config(self) -> TrainConfig:
        """`train` with the batch size the roll number gives."""
        return replace(self.train, batch_size=self.batch_size)

    def experiment(self, name: str) -> ExperimentConfig:
        for experiment in self.experiments:
            if experiment.name == name:
                return experiment
        raise ValueError(f"unknown experiment {name!r}; choose one of: "
                         f"{', '.join(e.name for e in self.experiments)}")

    def groups(self, experiment: ExperimentConfig) -> dict[str, list[str]] | None:
        """The experiment's merged classes (names as strings), or None for the dataset's own."""
        if experiment.label_map is None:
            return None
        return {str(name): [str(member) for member in members]
                for name, members in self.label_maps[experiment.label_map].items()}

    def problems(self) -> Iterator[str]:
        yield from super().problems()
        try:
            last_three_digits(self.roll_number)
        except ValueError as error:
            yield f"roll_number: {error}"
        if self.train.batch_size != TrainConfig().batch_size:
            yield ("train.batch_size: this study derives the batch size from roll_number through "
                   "batch_size_rule; set roll_number instead")
        if not self.seeds or self.seeds[0] != self.seed:
            yield f"seeds must start with the study's seed {self.seed} (it is shown in detail), got {list(self.seeds)}"
        if len(set(self.seeds)) != len(self.seeds):
            yield f"seeds must differ, got {list(self.seeds)}"
        if not self.experiments:
            yield "experiments must list at least one experiment"
        yield from self._label_map_problems()

    def _label_map_problems(self) -> Iterator[str]:
        classes = get_dataset(self.data.datasets[0]).classes if self.data.datasets else None
        for name, groups in self.label_maps.items():
            if not isinstance(groups, dict) or not groups:
                yield f"label_maps.{name} must map merged class names to lists of classes"
            elif classes is not None:
                yield from check_groups({str(k): [str(m) for m in v] for k, v in groups.items()},
                                        classes, f"label_maps.{name}")
        for index, experiment in enumerate(self.experiments):
            if experiment.label_map is not None and experiment.label_map not in self.label_maps:
                yield (f"experiments[{index}].label_map = {experiment.label_map!r} is not allowed; "
                       f"choose one of: {', '.join(self.label_maps) or 'none defined'}")
