"""Fingerprints of source code, so a run's identity changes when the code that trains it does.

A run hashes the modules that decode its data, define its model and train it, and every module of
the training packages they import at their top level (a loss, shared layers, the NumPy MLP); editing
one of them makes exactly the affected runs retrain, while editing a figure, a chapter or a config
default does not (config values are hashed as values). Tokens are hashed, not bytes: comments, blank
lines and spacing inside a line do not count.
"""

from __future__ import annotations

import ast
import functools
import hashlib
import importlib
import importlib.util
import io
import tokenize
from pathlib import Path

IGNORED_TOKENS = {tokenize.COMMENT, tokenize.NL}
# what trains every run, whatever its data or model
TRAINING_MODULES = ("cnnreport.data.image_set", "cnnreport.data.splits", "cnnreport.data.label_maps",
                    "cnnreport.data.registry", "cnnreport.models.registry",
                    "cnnreport.training.metrics")
# packages whose code decides what a run computes; imports of anything else are not followed
TRAINING_PACKAGES = ("cnnreport.data", "cnnreport.models", "cnnreport.training", "cnnreport.scratch")


@functools.lru_cache(maxsize=None)
def module_fingerprint(module_name: str) -> str:
    """Hash of one module's tokens (comments and layout ignored)."""
    path = Path(importlib.import_module(module_name).__file__)
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text()).readline)
    digest = hashlib.sha256()
    for token in tokens:
        if token.type not in IGNORED_TOKENS:
            digest.update(f"{token.type}:{token.string}\n".encode())
    return digest.hexdigest()[:12]


def code_fingerprint(model_module: str, trainer_module: str) -> str:
    """Identity of the code behind a run of a model defined in `model_module`, trained by the loop
    in `trainer_module`, with what they import from the training packages."""
    modules = sorted(_with_imports({*TRAINING_MODULES, model_module, trainer_module}))
    digest = hashlib.sha256("|".join(f"{m}:{module_fingerprint(m)}" for m in modules).encode())
    return digest.hexdigest()[:12]


def _with_imports(seeds: set[str]) -> set[str]:
    found, pending = set(), list(seeds)
    while pending:
        module = pending.pop()
        if module not in found:
            found.add(module)
            pending += [name for name in top_level_imports(module) if name not in found]
    return found


@functools.lru_cache(maxsize=None)
def top_level_imports(module_name: str) -> tuple[str, ...]:
    """Modules of the training packages that `module_name` imports at its top level (imports
    inside functions, such as a stand-in writer, are not part of what trains)."""
    path = Path(importlib.import_module(module_name).__file__)
    package = module_name if path.name == "__init__.py" else module_name.rpartition(".")[0]
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.ImportFrom):
            base = importlib.util.resolve_name("." * node.level + (node.module or ""), package) \
                if node.level else (node.module or "")
            for alias in node.names:  # `from . import engine` names a module, not an attribute
                submodule = f"{base}.{alias.name}"
                names.append(submodule if _is_submodule(submodule) else base)
        elif isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
    return tuple(sorted({name for name in names if name.startswith(TRAINING_PACKAGES)}))


def _is_submodule(name: str) -> bool:
    parent = name.rpartition(".")[0]
    if not parent.startswith("cnnreport"):
        return False
    parent_spec = importlib.util.find_spec(parent)
    if parent_spec is None or parent_spec.submodule_search_locations is None:
        return False  # a plain module: `from .registry import Classifier` names an attribute
    return importlib.util.find_spec(name) is not None
