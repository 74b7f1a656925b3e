"""Params: typed YAML profiles (`typed_yaml`) and the sections every study shares (`sections`)."""

from .typed_yaml import ConfigError, load_typed, parse_override, to_plain, with_overrides

__all__ = ["ConfigError", "load_typed", "parse_override", "to_plain", "with_overrides"]
