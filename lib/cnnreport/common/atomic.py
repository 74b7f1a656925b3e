"""Atomic writes: every artifact appears whole or not at all.

A build can be killed at any moment (Ctrl-C, a timeout, a lost GPU lease). Writing into a temporary
file in the same folder and renaming it over the target means readers never see half a file, and a
resumed build never trusts a truncated checkpoint.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", suffix=f".tmp{target.suffix}",
                                         dir=target.parent)
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        os.replace(temporary_path, target)
    finally:
        temporary_path.unlink(missing_ok=True)


def write_with(target: str | Path, writer: Callable[[Path], Any]) -> Path:
    """Run `writer(temporary_path)` and move the result onto `target`."""
    with atomic_path(target) as temporary:
        writer(temporary)
    return Path(target)


def write_text(target: str | Path, text: str) -> Path:
    return write_with(target, lambda path: path.write_text(text))


def write_json(target: str | Path, payload: Any) -> Path:
    return write_text(target, json.dumps(payload, indent=2, sort_keys=True) + "\n")


def write_yaml(target: str | Path, payload: Any) -> Path:
    return write_text(target, yaml.safe_dump(payload, sort_keys=False))


def torch_save(target: str | Path, payload: Any) -> Path:
    import torch

    return write_with(target, lambda path: torch.save(payload, path))
