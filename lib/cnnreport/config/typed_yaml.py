"""Typed YAML: profiles validated into frozen dataclasses, with every error naming key and choices.

Generic over schemas: a study declares its params as nested dataclasses (defaults in their fields,
value checks in a `problems()` method), and this module reads a YAML profile into them. A profile
may `extends:` another and override only what differs; command-line overrides are dotted keys
(`train.epochs=2`). Unknown keys get the closest valid key suggested; a wrong type, a value outside
a `Literal`, or any `problems()` message stops loading before anything runs.
"""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any, Literal

import yaml


class ConfigError(ValueError):
    """A params file or override is invalid; the message names the key and the allowed values."""


def read_with_overrides(path: str | Path, overrides: dict[str, Any] | None = None) -> dict:
    """A profile's mapping (following `extends:`) with dotted overrides applied, not yet typed."""
    raw = read_profile(Path(path))
    for dotted_key, value in (overrides or {}).items():
        set_dotted(raw, dotted_key, value)
    return raw


def from_mapping(schema: type, raw: dict, source: str) -> Any:
    """A validated instance of `schema`: types first, then every section's `problems()`."""
    value = section_from_mapping(schema, raw, prefix="", source=source)
    for problem in problems_of(value):
        raise ConfigError(f"{source}: {problem}")
    return value


def problems_of(value: Any, prefix: str = "") -> list[str]:
    """Messages from `problems()` of this dataclass and of every nested one, depth first.

    A section states its problems with its own key names ("epochs must be positive"); the key path
    of the section ("train.") is put in front here, so messages read "train.epochs must be ...".
    A problem about the section as a whole starts with a space (" fractions must ...") and reads
    "data.split fractions must ...".
    """
    if not dataclasses.is_dataclass(value):
        return []
    found = []
    for field in dataclasses.fields(value):
        child = getattr(value, field.name)
        if isinstance(child, tuple):
            for index, item in enumerate(child):
                found += problems_of(item, f"{prefix}{field.name}[{index}].")
        else:
            found += problems_of(child, f"{prefix}{field.name}.")
    checker = getattr(value, "problems", None)
    problems = checker() if callable(checker) else ()
    return found + [f"{prefix.rstrip('.')}{problem}" if problem.startswith(" ") else
                    f"{prefix}{problem}" for problem in problems]


def read_profile(path: Path, seen: tuple[Path, ...] = ()) -> dict:
    """The YAML mapping of a profile with its `extends:` chain merged in (the child wins)."""
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
    base = read_profile(path.parent / parent, seen + (path.resolve(),))
    return deep_merge(base, raw)


def deep_merge(base: dict, update: dict) -> dict:
    """Mappings merge key by key; anything else (lists included) is replaced by the update.

    A chapter's `parameters` mapping is replaced whole: a profile restates an instance, it does not
    patch it.
    """
    merged = dict(base)
    for key, value in update.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict) and key != "parameters":
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def get_dotted(raw: dict, dotted_key: str, missing: Any = None) -> Any:
    """The value at `a.b.c` in nested mappings, or `missing` where a part is absent."""
    node = raw
    for part in dotted_key.split("."):
        if not isinstance(node, dict) or part not in node:
            return missing
        node = node[part]
    return node


def set_dotted(raw: dict, dotted_key: str, value: Any) -> None:
    node = raw
    parts = dotted_key.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise ConfigError(f"override {dotted_key!r}: {part!r} is not a section")
    node[parts[-1]] = value


def parse_override(text: str) -> tuple[str, Any]:
    """`key=value` from the command line; the value is read as YAML so `3` is an int."""
    if "=" not in text:
        raise ConfigError(f"override {text!r} must look like key=value (e.g. train.epochs=2)")
    key, value = text.split("=", 1)
    return key.strip(), yaml.safe_load(value)


def with_overrides(section: Any, overrides: dict[str, Any], section_name: str,
                   source: str = "override") -> Any:
    """A copy of a config section with `key: value` overrides, type-checked like a params file."""
    merged = to_plain(section)
    for key, value in overrides.items():
        set_dotted(merged, key, value)
    return section_from_mapping(type(section), merged, prefix=f"{section_name}.", source=source)


def to_plain(value: Any) -> Any:
    """Dataclasses and tuples to dicts and lists, for YAML and hashing."""
    if dataclasses.is_dataclass(value):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, (list, tuple)):
        return [to_plain(item) for item in value]
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    return value


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
    values = {name: coerce(raw[name], hints[name], f"{prefix}{name}", source)
              for name in names if name in raw}
    missing = [f.name for f in dataclasses.fields(cls)
               if f.name not in values and f.default is dataclasses.MISSING
               and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ConfigError(f"{source}: missing key {prefix}{missing[0]}")
    return cls(**values)


def coerce(value: Any, hint: Any, key: str, source: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        if value is None and type(None) in args:
            return None
        options = [arg for arg in args if arg is not type(None)]
        if len(options) > 1:
            return _coerce_tagged(value, options, key, source)
        return coerce(value, options[0], key, source)
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
        return tuple(coerce(item, args[0], f"{key}[{i}]", source) for i, item in enumerate(value))
    if hint is dict or origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {key} must be a mapping, got {value!r}")
        return value
    return _coerce_scalar(value, hint, key, source)


def _coerce_scalar(value: Any, hint: Any, key: str, source: str) -> Any:
    if hint is bool and not isinstance(value, bool):
        raise ConfigError(f"{source}: {key} must be true or false, got {value!r}")
    if hint is int and (isinstance(value, bool) or not isinstance(value, int)):
        raise ConfigError(f"{source}: {key} must be an integer, got {value!r}")
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ConfigError(f"{source}: {key} must be a number, got {value!r}")
        return float(value)
    if hint is str and not isinstance(value, str):
        raise ConfigError(f"{source}: {key} must be a string, got {value!r}")
    return value


def _coerce_tagged(value: Any, options: list, key: str, source: str) -> Any:
    """A union of dataclasses, told apart by a `Literal` field they all have (e.g. `architecture`)."""
    tag = _tag_field(options)
    if tag is None or not isinstance(value, dict):
        raise ConfigError(f"{source}: {key} must be a mapping with a distinguishing key, got {value!r}")
    choices = {typing.get_args(typing.get_type_hints(option)[tag])[0]: option for option in options}
    if tag not in value:
        raise ConfigError(f"{source}: {key}.{tag} is missing; choose one of: {', '.join(choices)}")
    if value[tag] not in choices:
        raise ConfigError(f"{source}: {key}.{tag} = {value[tag]!r} is not allowed; "
                          f"choose one of: {', '.join(choices)}")
    return section_from_mapping(choices[value[tag]], value, prefix=f"{key}.", source=source)


def _tag_field(options: list) -> str | None:
    if not all(dataclasses.is_dataclass(option) for option in options):
        return None
    first = typing.get_type_hints(options[0])
    for name, hint in first.items():
        if typing.get_origin(hint) is Literal and all(
                typing.get_origin(typing.get_type_hints(other).get(name)) is Literal
                for other in options[1:]):
            return name
    return None
