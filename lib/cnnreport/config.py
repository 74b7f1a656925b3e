"""Parameter profiles: YAML files validated into typed, frozen dataclasses.

Every tunable value of a build lives in `params/*.yaml`; nothing tunable hides in code. A profile may
`extends:` another one and override only what differs (the quick preview extends the full
assignment). Validation happens before anything runs, and every error names the key, the value and
what is allowed, so a typo costs seconds, not a failed 50-epoch run.
"""

from __future__ import annotations

import dataclasses
import difflib
import os
import types
import typing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Optional

import yaml

DATASETS = ("mnist", "svhn")
DATA_ROOT_ENV = "CNNREPORT_DATA_ROOT"
ActivationName = Literal["relu", "leaky_relu", "gelu", "elu", "silu"]
OptimizerName = Literal["sgd", "adam", "adamw"]
ScheduleName = Literal["none", "cosine", "onecycle"]


class ConfigError(ValueError):
    """A params file or override is invalid; the message names the key and the allowed values."""


@dataclass(frozen=True)
class SplitFractions:
    train: float = 0.7  # share of the pooled official train+test images
    val: float = 0.1
    test: float = 0.2


@dataclass(frozen=True)
class DataConfig:
    root: str = "data"  # torchvision layout; CNNREPORT_DATA_ROOT overrides it
    download: bool = True  # try torchvision's download when files are missing
    split: SplitFractions = field(default_factory=SplitFractions)
    max_images: Optional[int] = None  # stratified cap on each pooled dataset (None: all images)
    svhn_source: Literal["auto", "real", "synthetic"] = "auto"  # auto: real files if present
    synthetic_svhn_images: int = 20000  # size of the stand-in when real SVHN files are absent


@dataclass(frozen=True)
class ModelConfig:
    channels: tuple[int, ...] = (32, 64, 128)  # output channels of each conv block
    convs_per_block: int = 2  # conv-BN-activation layers before each max-pool
    feature_dim: int = 256  # width of the fully connected feature layer (UMAP input)
    activation: ActivationName = "relu"
    dropout: float = 0.3  # before the classifier


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
    augment_shift: int = 2  # random translation in pixels on the device (0: off)
    max_train_images: Optional[int] = None  # stratified cap on the training split (None: all)


@dataclass(frozen=True)
class StudyConfig:
    epochs: int = 5  # epochs per variant of the hyperparameter study
    max_train_images: Optional[int] = None
    variants: tuple[dict, ...] = ({},)  # overrides of train.* / model.* keys; {} is the baseline


@dataclass(frozen=True)
class EmbeddingConfig:
    n_neighbors: int = 15
    min_dist: float = 0.1
    max_points: Optional[int] = 10000  # stratified subsample per plot (None: whole split)


@dataclass(frozen=True)
class ImbalanceConfig:
    classes: tuple[int, ...] = (1, 2)
    # training images per class for each case; None means every image of that class
    cases: dict = field(default_factory=lambda: {
        1: {1: 50, 2: 1000}, 2: {1: 500, 2: 1000}, 3: {1: None, 2: None}})


@dataclass(frozen=True)
class DemoConfig:
    images: int = 12


@dataclass(frozen=True)
class ChapterInstance:
    name: str  # output name: artifacts/notebooks/<name>.ipynb
    notebook: str  # source notebook in chapters/, without .ipynb
    parameters: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ExecutionConfig:
    cell_timeout_s: int = 7200  # papermill per-cell timeout


@dataclass(frozen=True)
class Params:
    profile: str
    seed: int = 42
    data: DataConfig = field(default_factory=DataConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    train: TrainConfig = field(default_factory=TrainConfig)
    study: StudyConfig = field(default_factory=StudyConfig)
    embedding: EmbeddingConfig = field(default_factory=EmbeddingConfig)
    imbalance: ImbalanceConfig = field(default_factory=ImbalanceConfig)
    demo: DemoConfig = field(default_factory=DemoConfig)
    execution: ExecutionConfig = field(default_factory=ExecutionConfig)
    chapters: tuple[ChapterInstance, ...] = ()

    def data_root(self) -> Path:
        """The environment variable wins so CI and shared machines point at one read-only copy."""
        return Path(os.environ.get(DATA_ROOT_ENV) or self.data.root)

    def to_dict(self) -> dict:
        return to_plain(self)


# ---------------------------------------------------------------------------------------------
# Loading


def load_params(path: str | Path, overrides: dict[str, Any] | None = None) -> Params:
    """Read a profile (following `extends:`), apply dotted overrides, validate, return Params."""
    path = Path(path)
    raw = _read_profile(path, seen=())
    for dotted_key, value in (overrides or {}).items():
        _set_dotted(raw, dotted_key, value)
    return params_from_dict(raw, source=str(path))


def params_from_dict(raw: dict, source: str = "params") -> Params:
    params = section_from_mapping(Params, raw, prefix="", source=source)
    _check_values(params, source)
    return params


def with_overrides(section: Any, overrides: dict[str, Any], section_name: str,
                   source: str = "override") -> Any:
    """A copy of a config section with `key: value` overrides, type-checked like a params file."""
    merged = to_plain(section)
    for key, value in overrides.items():
        _set_dotted(merged, key, value)
    return section_from_mapping(type(section), merged, prefix=f"{section_name}.", source=source)


def parse_override(text: str) -> tuple[str, Any]:
    """`key=value` from the command line; the value is read as YAML so `3` is an int."""
    if "=" not in text:
        raise ConfigError(f"override {text!r} must look like key=value (e.g. train.epochs=2)")
    key, value = text.split("=", 1)
    return key.strip(), yaml.safe_load(value)


def to_plain(value: Any) -> Any:
    """Dataclasses and tuples to dicts and lists, for YAML and hashing."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return value


def _read_profile(path: Path, seen: tuple[Path, ...]) -> dict:
    if not path.is_file():
        raise ConfigError(f"params file {path} does not exist")
    if path.resolve() in seen:
        raise ConfigError(f"params file {path} extends itself through {[str(p) for p in seen]}")
    try:
        raw = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as error:
        raise ConfigError(f"params file {path} is not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"params file {path} must hold a mapping at the top level")
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    base = _read_profile(path.parent / parent, seen + (path.resolve(),))
    return _deep_merge(base, raw)


def _deep_merge(base: dict, update: dict) -> dict:
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "parameters":
            merged[key] = _deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _set_dotted(raw: dict, dotted_key: str, value: Any) -> None:
    node = raw
    parts = dotted_key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {dotted_key!r}: {part!r} is not a section")
    node[parts[-1]] = value


# ---------------------------------------------------------------------------------------------
# Typed construction


def section_from_mapping(cls: type, raw: Any, prefix: str, source: str) -> Any:
    """A config dataclass from a mapping, refusing unknown keys and wrong types (used for saved
    run configs and model files too, so they are checked like params files)."""
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: {prefix.rstrip('.') or 'top level'} must be a mapping, "
                          f"got {raw!r}")
    hints = typing.get_type_hints(cls)
    names = [f.name for f in dataclasses.fields(cls)]
    for key in raw:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f"; did you mean {prefix}{close[0]!r}?" if close else ""
            raise ConfigError(f"{source}: unknown key {prefix}{key!r}{hint} "
                              f"Valid keys: {', '.join(names)}")
    values = {name: _coerce(raw[name], hints[name], f"{prefix}{name}", source)
              for name in names if name in raw}
    missing = [f.name for f in dataclasses.fields(cls)
               if f.name not in values and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{source}: missing key {prefix}{missing[0]}")
    return cls(**values)


def _coerce(value: Any, hint: Any, key: str, source: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        (inner,) = [arg for arg in args if arg is not type(None)]
        return _coerce(value, inner, key, source)
    if origin is Literal:
        if value not in args:
            raise ConfigError(f"{source}: {key} = {value!r} is not allowed; "
                              f"choose one of: {', '.join(map(str, args))}")
        return value
    if dataclasses.is_dataclass(hint):
        return section_from_mapping(hint, value, prefix=f"{key}.", source=source)
    if origin is tuple:
        if not isinstance(value, (list, tuple)):
            raise ConfigError(f"{source}: {key} must be a list, got {value!r}")
        return tuple(_coerce(item, args[0], f"{key}[{i}]", source) for i, item in enumerate(value))
    if hint is dict or origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {key} must be a mapping, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: {key} must be true or false, got {value!r}")
        return value
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{source}: {key} must be an integer, got {value!r}")
        return value
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{source}: {key} must be a number, got {value!r}")
        return float(value)
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{source}: {key} must be a string, got {value!r}")
        return value
    return value


# ---------------------------------------------------------------------------------------------
# Value checks beyond types


def _check_values(params: Params, source: str) -> None:
    def require(condition: bool, message: str) -> None:
        if not condition:
            raise ConfigError(f"{source}: {message}")

    split = params.data.split
    total = split.train + split.val + split.test
    require(abs(total - 1.0) < 1e-6,
            f"data.split fractions must sum to 1, got train {split.train} + val {split.val} + "
            f"test {split.test} = {total:g}")
    require(min(split.train, split.val, split.test) > 0,
            "data.split fractions must all be positive")
    require(params.seed >= 0, f"seed must be 0 or more, got {params.seed}")
    for key, value in _positive_ints(params):
        require(value is None or value > 0, f"{key} must be positive, got {value}")
    require(len(params.model.channels) >= 1, "model.channels needs at least one block")
    require(0 <= params.model.dropout < 1, f"model.dropout must be in [0, 1), "
            f"got {params.model.dropout}")
    require(params.train.learning_rate > 0,
            f"train.learning_rate must be positive, got {params.train.learning_rate}")
    require(params.train.augment_shift >= 0, "train.augment_shift must be 0 or more")
    for index, variant in enumerate(params.study.variants):
        _check_variant(params, variant, f"study.variants[{index}]", source)
    _check_imbalance(params.imbalance, source)
    names = [chapter.name for chapter in params.chapters]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    require(not duplicates, f"chapters: duplicate chapter names {duplicates}")
    for chapter in params.chapters:
        dataset = chapter.parameters.get("dataset")
        require(dataset is None or dataset in DATASETS,
                f"chapters: {chapter.name}: dataset {dataset!r} is not allowed; choose one of: "
                f"{', '.join(DATASETS)}")


def _positive_ints(params: Params) -> list[tuple[str, Optional[int]]]:
    return [
        ("train.epochs", params.train.epochs),
        ("train.batch_size", params.train.batch_size),
        ("train.eval_batch_size", params.train.eval_batch_size),
        ("train.max_train_images", params.train.max_train_images),
        ("study.epochs", params.study.epochs),
        ("study.max_train_images", params.study.max_train_images),
        ("data.max_images", params.data.max_images),
        ("data.synthetic_svhn_images", params.data.synthetic_svhn_images),
        ("model.feature_dim", params.model.feature_dim),
        ("model.convs_per_block", params.model.convs_per_block),
        ("embedding.n_neighbors", params.embedding.n_neighbors),
        ("embedding.max_points", params.embedding.max_points),
        ("demo.images", params.demo.images),
        ("execution.cell_timeout_s", params.execution.cell_timeout_s),
    ] + [(f"model.channels[{i}]", width) for i, width in enumerate(params.model.channels)]


def _check_variant(params: Params, variant: Any, key: str, source: str) -> None:
    """A study variant may only override train.* or model.* keys, with values of the right type."""
    if not isinstance(variant, dict):
        raise ConfigError(f"{source}: {key} must be a mapping of overrides, got {variant!r}")
    sections = {"train": params.train, "model": params.model}
    for dotted, value in variant.items():
        section_name, _, name = str(dotted).partition(".")
        if section_name not in sections or not name:
            raise ConfigError(f"{source}: {key}: override {dotted!r} must start with 'train.' or "
                              f"'model.'")
        with_overrides(sections[section_name], {name: value}, section_name, f"{source}: {key}")


def _check_imbalance(imbalance: ImbalanceConfig, source: str) -> None:
    for case, counts in imbalance.cases.items():
        if not isinstance(counts, dict) or sorted(counts) != sorted(imbalance.classes):
            raise ConfigError(f"{source}: imbalance.cases.{case} must give a count for each of the "
                              f"classes {list(imbalance.classes)}, got {counts!r}")
        for label, count in counts.items():
            if count is not None and (not isinstance(count, int) or count <= 0):
                raise ConfigError(f"{source}: imbalance.cases.{case}.{label} must be a positive "
                                  f"integer or null (all images), got {count!r}")
