"""What the fault cases are made of: the case registry, the bench a case works on, the victim
process it watches, and the checks of an error message and of files that must survive.

`campaign.py` runs the cases; the `cases_*` modules define them with `fault_case`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from ..common.paths import ARTIFACTS_ENV, DATA_ROOT_ENV

VICTIM_TIMEOUT_S = 300  # a victim process that takes longer has hung: the case fails


@dataclass
class Outcome:
    survived: bool  # a clear error naming the problem, or a correct recovery
    lost: int  # results lost or corrupted by the fault (must be 0)
    detail: str  # what happened, for the table's notes and a failing test's message


@dataclass(frozen=True)
class FaultCase:
    fault_class: str
    name: str
    run: Callable[["Bench"], Outcome]
    doc: str


CASES: list[FaultCase] = []


def add_case(fault_class: str, name: str, run: Callable[["Bench"], "Outcome"], doc: str) -> None:
    CASES.append(FaultCase(fault_class, name, run, " ".join(doc.split())))


def fault_case(fault_class: str) -> Callable:
    """Register a case function `(bench) -> Outcome` under a fault class; its docstring says what
    it provokes and what surviving means."""
    def register(function):
        add_case(fault_class, function.__name__, function, function.__doc__ or "")
        return function
    return register


# ---------------------------------------------------------------------------------------------
# The bench: a case's folders, environment and shared results


@dataclass
class Bench:
    """Where a case works: `folder` (its own), `artifacts` (its own, with the shared decoded-data
    cache linked in), the real data root, and values shared by all cases of a campaign."""

    folder: Path
    shared: Path
    data_root: Path
    seed: int = 42
    memo: dict = field(default_factory=dict)

    @property
    def artifacts(self) -> Path:
        return self.folder / "artifacts"


@contextlib.contextmanager
def case_environment(bench: Bench) -> Iterator[None]:
    """The case's artifacts folder and the real data root, restored afterwards."""
    saved = {key: os.environ.get(key) for key in (ARTIFACTS_ENV, DATA_ROOT_ENV)}
    link_shared_cache(bench.artifacts, bench.shared)
    os.environ[ARTIFACTS_ENV] = str(bench.artifacts)
    os.environ[DATA_ROOT_ENV] = str(bench.data_root)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def link_shared_cache(artifacts: Path, shared: Path) -> None:
    """An artifacts folder whose decoded-data cache is the campaign's shared one."""
    artifacts.mkdir(parents=True, exist_ok=True)
    if not (artifacts / "cache").exists():
        (shared / "cache").mkdir(parents=True, exist_ok=True)
        (artifacts / "cache").symlink_to(shared / "cache", target_is_directory=True)


# ---------------------------------------------------------------------------------------------
# Helpers the cases share


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under `folder` by content hash (links, such as the shared cache, not followed)."""
    files = {}
    for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
        if path.is_file() and not path.is_symlink():
            files[str(path.relative_to(folder))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def changed(before: dict[str, str], after: dict[str, str]) -> list[str]:
    """Files of `before` that vanished or changed."""
    return [name for name, digest in before.items() if after.get(name) != digest]


CASE_FOLDER = {"path": ""}  # the running case's folder, left out of the messages checked


def clear_error(error_text: str, must_name: list[str]) -> tuple[bool, str]:
    """Whether an error message names everything it must (a file, a key, the choices). The case's
    own folder is left out first: its name must not count as the message's words."""
    if CASE_FOLDER["path"]:
        error_text = error_text.replace(CASE_FOLDER["path"], "<case>")
    missing = [text for text in must_name if text not in error_text]
    if missing:
        return False, f"message lacks {missing}: {error_text[:300]}"
    return True, error_text.splitlines()[0][:200] if error_text else ""


def expect_error(action: Callable[[], object], error_types: tuple, must_name: list[str],
                 lost: int = 0) -> Outcome:
    """Survived when `action` raises one of `error_types` with a message naming `must_name`."""
    try:
        action()
    except error_types as error:
        ok, detail = clear_error(str(error), must_name)
        return Outcome(ok, lost, detail)
    return Outcome(False, lost, "no error: the fault went unnoticed")


@dataclass
class Victim:
    """A probe process (`python -m cnnreport.faults.probe ...`) whose output lines are watched."""

    process: subprocess.Popen
    lines: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, arguments: list[str], cwd: Path | None = None) -> "Victim":
        process = subprocess.Popen(
            [sys.executable, "-m", "cnnreport.faults.probe", *arguments], cwd=cwd,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        return cls(process)

    def wait_for(self, prefix: str, timeout_s: float = VICTIM_TIMEOUT_S) -> str | None:
        """The first output line starting with `prefix` (None if the process ended first)."""
        deadline = time.monotonic() + timeout_s
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))
            if line.startswith(prefix):
                return line.rstrip("\n")
            if time.monotonic() > deadline:
                break
        return None

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.finish()

    def finish(self, timeout_s: float = VICTIM_TIMEOUT_S) -> int:
        output, _ = self.process.communicate(timeout=timeout_s)
        self.lines += (output or "").splitlines()
        return self.process.returncode

    def line(self, prefix: str) -> str | None:
        return next((line for line in self.lines if line.startswith(prefix)), None)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)
