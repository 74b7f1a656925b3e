"""Fingerprints of source code, so a run's identity changes when the code that trains it does.

A run hashes the modules that decode its data, define its model and train it; editing one of them
makes exactly the affected runs retrain, while editing a figure or a chapter does not. Tokens are
hashed, not bytes: comments, blank lines and spacing inside a line do not count.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import io
import tokenize
from pathlib import Path

IGNORED_TOKENS = {tokenize.COMMENT, tokenize.NL}
# what trains every run, whatever its data or model
TRAINING_MODULES = ("cnnreport.data.image_set", "cnnreport.data.splits", "cnnreport.data.label_maps",
                    "cnnreport.data.registry", "cnnreport.models.registry",
                    "cnnreport.training.engine", "cnnreport.training.metrics")


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


def code_fingerprint(model_module: str) -> str:
    """Identity of the code behind a run of a model defined in `model_module`."""
    modules = sorted({*TRAINING_MODULES, model_module})
    digest = hashlib.sha256("|".join(f"{m}:{module_fingerprint(m)}" for m in modules).encode())
    return digest.hexdigest()[:12]
