"""Atomic writes: every artifact appears whole or not at all.

A build can be killed at any moment (Ctrl-C, a timeout, a lost GPU lease). Writing into a temporary
file in the same folder and renaming it over the target means readers never see half a file, and a
resumed build never trusts a truncated checkpoint. A write that fails (a full disk, a file size
limit) removes its temporary and raises ArtifactWriteError naming the target; the previous version
stays. A temporary's name carries its writer's process id, so the temporaries a killed process left
behind are recognised and swept (`sweep_unfinished`) without touching a live writer's.
"""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import yaml

TEMPORARY = re.compile(r"^\.(?P<target>.+)\.(?P<pid>\d+)\.[^.]+\.tmp")  # .<name>.<pid>.<random>.tmp<suffix>
FULL_DISK = {errno.ENOSPC, errno.EFBIG, errno.EDQUOT}


class ArtifactWriteError(OSError):
    """An artifact could not be written; its previous version, if any, is untouched."""

    def __str__(self) -> str:
        return self.strerror or super().__str__()


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only if the block succeeds."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.",
                                         suffix=f".tmp{target.suffix}", dir=target.parent)
    os.close(handle)
    temporary_path = Path(temporary)
    try:
        yield temporary_path
        os.replace(temporary_path, target)
    except OSError as error:
        if isinstance(error, ArtifactWriteError):
            raise
        raise ArtifactWriteError(error.errno, _write_failure(target, error)) from error
    finally:
        temporary_path.unlink(missing_ok=True)


def _write_failure(target: Path, error: OSError) -> str:
    reason = error.strerror or str(error)
    if error.errno in FULL_DISK:
        return (f"could not write {target}: {reason} (the disk is full or a file size limit was "
                f"reached); its previous version, if any, is unchanged. Free space and run the same "
                f"command again: finished runs and epochs are kept")
    return f"could not write {target}: {reason}; its previous version, if any, is unchanged"


def sweep_unfinished(folder: Path) -> list[Path]:
    """Remove the temporaries under `folder` whose writing process no longer runs (it was killed
    mid-write); return them."""
    swept = []
    for path in folder.rglob(".*.tmp*") if folder.is_dir() else ():
        match = TEMPORARY.match(path.name)
        if match and path.is_file() and not _process_alive(int(match["pid"])):
            path.unlink(missing_ok=True)
            swept.append(path)
    return swept


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


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
    """torch.save through memory: its own file writer reports a full disk as a bare RuntimeError
    ("unexpected pos"), a plain write raises the OSError that names the cause."""
    import torch

    buffer = io.BytesIO()
    torch.save(payload, buffer)
    return write_with(target, lambda path: path.write_bytes(buffer.getbuffer()))
