"""Params sections every study shares: data, training, embedding, execution, chapters.

Defaults live here, in the fields; each section states what else must hold in `problems()`, with its
own key names (the loader adds the section's path). A study's schema (in `studies/<study>/params.py`)
extends `StudyParams` with its own sections.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Literal, Optional

from ..common.paths import DATA_ROOT_ENV

OptimizerName = Literal["sgd", "adam", "adamw"]
ScheduleName = Literal["none", "cosine", "onecycle"]
LossName = Literal["torch", "handwritten", "focal"]  # training/losses.py


def require_positive(values: dict[str, Optional[int | float]]) -> Iterator[str]:
    """'epochs must be positive, got 0' for each value that is set and not above zero."""
    for key, value in values.items():
        if value is not None and value <= 0:
            yield f"{key} must be positive, got {value}"


@dataclass(frozen=True)
class SplitFractions:
    train: float = 0.7  # share of the pooled official train+test images
    val: float = 0.1
    test: float = 0.2
    # pooled: official train and test parts pooled, then split by the three fractions;
    # official: the official test part is the test split (test: 0) and the official train part is
    # split train:val (train + val = 1), for assignments that report on the official test set
    test_part: Literal["pooled", "official"] = "pooled"
    # each class split on its own: exactly round(n_c x fraction) of class c in validation and test
    # (assignments that ask for "70/10/20 of each class separately"); else one stratified split
    per_class: bool = False

    def problems(self) -> Iterator[str]:
        if self.per_class and self.test_part == "official":
            yield " per_class splits the pooled images; it cannot be combined with test_part official"
        if self.test_part == "official":
            yield from self._official_problems()
            return
        total = self.train + self.val + self.test
        if abs(total - 1.0) > 1e-6:
            yield (f" fractions must sum to 1, got train {self.train} + val {self.val} + test "
                   f"{self.test} = {total:g}")
        if min(self.train, self.val, self.test) <= 0:
            yield " fractions must all be positive"

    def description(self) -> str:
        """The split in words, for the report."""
        if self.test_part == "official":
            return (f"official test part as test; official train part {self.train:g}/{self.val:g} "
                    f"train/validation, stratified")
        per = " of each class separately" if self.per_class else " of the pooled official parts, stratified"
        return f"{self.train:g}/{self.val:g}/{self.test:g}{per}"

    def _official_problems(self) -> Iterator[str]:
        if self.test != 0:
            yield (f"test must be 0 with test_part official (the official test part is the test "
                   f"split), got {self.test}")
        if abs(self.train + self.val - 1.0) > 1e-6:
            yield (f" fractions of the official train part must sum to 1 with test_part official, "
                   f"got train {self.train} + val {self.val} = {self.train + self.val:g}")
        if min(self.train, self.val) <= 0:
            yield " fractions train and val must be positive"


@dataclass(frozen=True)
class DataConfig:
    root: str = "data"  # torchvision layout; CNNREPORT_DATA_ROOT overrides it
    download: bool = True  # try torchvision's download when files are missing
    datasets: tuple[str, ...] = ()  # dataset registry names the study uses, in report order
    split: SplitFractions = field(default_factory=SplitFractions)
    max_images: Optional[int] = None  # stratified cap on each pooled dataset (None: all images)
    image_size: Optional[int] = None  # square side fed to the models (None: the dataset's own)
    channels: Optional[int] = None  # 1 or 3 channels fed to the models (None: the dataset's own)
    # auto: real files when present, else a stand-in written by the build's explicit data step
    source: Literal["auto", "real", "stand-in"] = "auto"
    stand_in_images: int = 20000  # size of a stand-in where a dataset has no real copy

    def problems(self) -> Iterator[str]:
        # dataset names are checked against the dataset registry when a study loads its params
        if self.channels not in (None, 1, 3):
            yield f"channels must be 1, 3 or null, got {self.channels}"
        yield from require_positive({"max_images": self.max_images, "image_size": self.image_size,
                                     "stand_in_images": self.stand_in_images})


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 50
    optimizer: OptimizerName = "adamw"
    learning_rate: float = 0.001  # peak rate for the onecycle schedule
    weight_decay: float = 0.0005
    momentum: float = 0.9  # SGD only
    batch_size: int = 256
    eval_batch_size: int = 1024
    schedule: ScheduleName = "onecycle"
    label_smoothing: float = 0.0
    loss: LossName = "torch"  # cross-entropy: PyTorch's, or written with tensor operations only
    augment_shift: int = 2  # random translation in pixels on the device (0: off)
    augment_flip: bool = False  # random horizontal flips on the device (clothes, not digits)
    augment_crop: float = 1.0  # random resized crops keeping [augment_crop, 1] of the area (1: off)
    augment_rotate: float = 0.0  # random rotations of up to this many degrees (0: off)
    augment_jitter: float = 0.0  # brightness, contrast, saturation scaled by 1 ± this (0: off)
    targets: Literal["index", "one-hot"] = "index"  # what batches hand the loss
    focal_gamma: float = 2.0  # focal loss only
    max_train_images: Optional[int] = None  # stratified cap on the training split (None: all)

    def problems(self) -> Iterator[str]:
        yield from require_positive({"epochs": self.epochs, "batch_size": self.batch_size,
                                     "eval_batch_size": self.eval_batch_size,
                                     "max_train_images": self.max_train_images,
                                     "learning_rate": self.learning_rate})
        if self.augment_shift < 0:
            yield "augment_shift must be 0 or more"
        if not 0 <= self.label_smoothing < 1:
            yield f"label_smoothing must be in [0, 1), got {self.label_smoothing}"
        if not 0 < self.augment_crop <= 1:
            yield f"augment_crop must be in (0, 1], got {self.augment_crop}"
        if not 0 <= self.augment_jitter < 1:
            yield f"augment_jitter must be in [0, 1), got {self.augment_jitter}"
        if not 0 <= self.augment_rotate <= 180:
            yield f"augment_rotate must be in [0, 180] degrees, got {self.augment_rotate}"
        if self.focal_gamma < 0:
            yield f"focal_gamma must be 0 or more, got {self.focal_gamma}"

    def augmentation(self) -> str:
        """The augmentation in words, for reports that state how a model was trained."""
        parts = [f"random shifts of up to {self.augment_shift} pixel(s)"] if self.augment_shift else []
        parts += ["random horizontal flips"] if self.augment_flip else []
        parts += [f"random resized crops of {self.augment_crop:g}–1 of the area"] \
            if self.augment_crop < 1 else []
        parts += [f"random rotations of up to {self.augment_rotate:g}°"] if self.augment_rotate else []
        parts += [f"colour jitter of ±{self.augment_jitter:g}"] if self.augment_jitter else []
        return ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] if parts \
            else "no augmentation"


@dataclass(frozen=True)
class VariantStudy:
    """One factor at a time around the baseline, short runs; the best by validation accuracy wins."""

    epochs: int = 3  # epochs of every variant
    max_train_images: Optional[int] = None  # stratified cap on the training split for variants
    variants: tuple[dict, ...] = ({},)  # dotted overrides of the section studied; {} is the baseline

    def problems(self) -> Iterator[str]:
        yield from require_positive({"epochs": self.epochs, "max_train_images": self.max_train_images})


@dataclass(frozen=True)
class EmbeddingConfig:
    method: Literal["umap", "tsne"] = "umap"  # 2-D projection of a feature layer
    n_neighbors: int = 15  # UMAP
    min_dist: float = 0.1  # UMAP
    perplexity: float = 30.0  # t-SNE
    # t-SNE implementation; openTSNE (FFT-accelerated) by default, scikit-learn's kept for comparison
    # (`python -m cnnreport.tools.bench_embedding` times both on the same points)
    tsne_backend: Literal["opentsne", "sklearn"] = "opentsne"
    # openTSNE's threads: its result depends on the count, so the count is a setting (not the
    # machine's cores) and the same params give the same points on any machine
    tsne_threads: int = 2
    max_points: Optional[int] = 10000  # stratified subsample per plot (None: whole split)

    def problems(self) -> Iterator[str]:
        yield from require_positive({"n_neighbors": self.n_neighbors, "max_points": self.max_points,
                                     "perplexity": self.perplexity, "tsne_threads": self.tsne_threads})


@dataclass(frozen=True)
class ChapterInstance:
    name: str  # output name: artifacts/<study>/<profile>/notebooks/<name>.ipynb
    notebook: str  # source notebook in chapters/<study>/, without .ipynb
    parameters: dict = field(default_factory=dict)
    # chapters that must have finished before this one starts, because it reads what they record
    # (results, timings); "all": every chapter before it. Others run at the same time as it.
    after: tuple[str, ...] = ()

    def waits_for(self, earlier: list[str]) -> list[str]:
        """Names of the earlier chapters this one waits for."""
        return list(earlier) if "all" in self.after else [n for n in earlier if n in self.after]


@dataclass(frozen=True)
class SlurmConfig:
    """Runs as SLURM jobs through submitit (`execution.runs.executor: slurm`)."""

    # slurm: submit to the cluster; local: submitit's local executor (the same jobs as subprocesses
    # of this machine, to try the path without a cluster)
    cluster: Literal["slurm", "local"] = "slurm"
    partition: Optional[str] = None  # None: the cluster's default partition
    account: Optional[str] = None
    gpus_per_job: int = 1
    cpus_per_job: int = 4
    mem_gb: Optional[int] = None  # None: the partition's default
    time_limit_min: int = 120  # a job out of time is resubmitted and resumes from its checkpoint
    max_requeues: int = 3  # resubmissions of a job out of time before the build gives up
    sbatch: dict = field(default_factory=dict)  # further sbatch options, e.g. {qos: high}
    poll_s: float = 5.0  # how often the build looks at its jobs' states

    def problems(self) -> Iterator[str]:
        yield from require_positive({"cpus_per_job": self.cpus_per_job, "mem_gb": self.mem_gb,
                                     "time_limit_min": self.time_limit_min, "poll_s": self.poll_s})
        if self.gpus_per_job < 0 or self.max_requeues < 0:
            yield (f"gpus_per_job and max_requeues must be 0 or more, got {self.gpus_per_job} "
                   f"and {self.max_requeues}")


@dataclass(frozen=True)
class RunsExecutionConfig:
    """Where the runs a build needs are trained (they are made before any chapter executes)."""

    # local: one after another in the build's process; processes: `workers` at once on this machine
    # (one per GPU when there are GPUs); slurm: one SLURM job per run (see `slurm`)
    executor: Literal["local", "processes", "slurm"] = "local"
    workers: Optional[int] = None  # processes: runs at once (None: the GPUs, else the CPU cores)
    # threads of each run trained on a CPU. CPU results depend on it (sums split among threads
    # round differently), so set it for metrics identical across executors and machines; None:
    # local: every core, processes: the cores divided among the workers, slurm: cpus_per_job
    cpu_threads: Optional[int] = None
    slurm: SlurmConfig = field(default_factory=SlurmConfig)

    def problems(self) -> Iterator[str]:
        yield from require_positive({"workers": self.workers, "cpu_threads": self.cpu_threads})


@dataclass(frozen=True)
class ExecutionConfig:
    cell_timeout_s: int = 7200  # papermill per-cell timeout
    runs: RunsExecutionConfig = field(default_factory=RunsExecutionConfig)

    def problems(self) -> Iterator[str]:
        yield from require_positive({"cell_timeout_s": self.cell_timeout_s})


@dataclass(frozen=True)
class BookConfig:
    """Title page of the study's report (written into its generated Quarto profile)."""

    title: str = "Assignment report"
    subtitle: str = "Generated by cnn-report"
    author: str = "cnn-report"  # typst books need an author; set the student's name
    # text in a corner of every figure, e.g. "jdoe-{date}" ({date}: the build's date); "" for none
    figure_stamp: str = ""

    def problems(self) -> Iterator[str]:
        try:
            self.figure_stamp.format(date="")
        except (KeyError, IndexError, ValueError) as error:
            yield (f"figure_stamp {self.figure_stamp!r}: only {{date}} may be filled in "
                   f"({type(error).__name__}: {error})")


@dataclass(frozen=True)
class StudyParams:
    """What every study's params hold; a study's schema adds its own sections."""

    profile: str
    study_name: str = ""  # the study's registry name (set from the folder the profile sits in)
    seed: int = 42
    data: DataConfig = field(default_factory=DataConfig)
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)
    book: BookConfig = field(default_factory=BookConfig)
    chapters: tuple[ChapterInstance, ...] = ()

    def data_root(self) -> Path:
        """The environment variable wins so CI and shared machines point at one read-only copy."""
        return Path(os.environ.get(DATA_ROOT_ENV) or self.data.root)

    def to_dict(self) -> dict:
        from .typed_yaml import to_plain

        return to_plain(self)

    def problems(self) -> Iterator[str]:
        if self.seed < 0:
            yield f"seed must be 0 or more, got {self.seed}"
        names = [chapter.name for chapter in self.chapters]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            yield f"chapters: duplicate chapter names {duplicates}"
        for number, chapter in enumerate(self.chapters):
            earlier = names[:number]
            for name in set(chapter.after) - {"all", *earlier}:
                yield (f"chapters: {chapter.name}: after {name!r} is not a chapter before it; "
                       f"choose from: all, {', '.join(earlier) or '(none: it is the first)'}")
            dataset = chapter.parameters.get("dataset")
            if dataset is not None and dataset not in self.data.datasets:
                yield (f"chapters: {chapter.name}: dataset {dataset!r} is not allowed; choose one "
                       f"of: {', '.join(self.data.datasets)}")
