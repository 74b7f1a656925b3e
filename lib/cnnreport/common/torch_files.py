"""Reading the project's own torch files (models, checkpoints, caches) with clear refusals.

Every torch file is read with `weights_only=True`: tensors and plain data only, never arbitrary
objects. What torch raises for a file it cannot read (a zip "central directory" error, an
`EOFError`, a `KeyError` of a pickle opcode, a page on trusting sources) says little about which file
and why; here each case becomes one sentence naming the file.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

REFUSED = "Unsupported global"  # torch.load(weights_only=True) refusing to build a Python object


class TorchFileError(ValueError):
    """A torch file is missing, truncated, foreign, or holds objects weights_only refuses."""


def read_torch_file(path: str | Path, what: str, map_location: Any = "cpu") -> Any:
    """The payload of `path` (a `what`, e.g. "model file"), read with weights_only=True."""
    import torch

    path = Path(path)
    if not path.is_file():
        raise TorchFileError(f"{what} {path} does not exist")
    try:
        return torch.load(path, weights_only=True, map_location=map_location)
    except pickle.UnpicklingError as error:
        if REFUSED in str(error):
            refused = str(error).split(REFUSED, 1)[1].split(" was not", 1)[0].strip(": ")
            raise TorchFileError(
                f"{path}: refused: it holds Python objects other than tensors and plain data "
                f"({refused}), which loading with weights_only=True does not execute; a {what} of "
                f"this project never holds any. Do not load it from an untrusted source; rebuild "
                f"it instead") from None
        raise TorchFileError(f"{path}: not a readable {what}: damaged or not a PyTorch file "
                             f"({path.stat().st_size:,} bytes that torch cannot unpickle)") from None
    except (RuntimeError, EOFError, KeyError, ValueError, OSError) as error:
        size = path.stat().st_size
        raise TorchFileError(f"{path}: not a readable {what}: truncated, damaged or not a PyTorch "
                             f"file ({size:,} bytes; torch says {type(error).__name__}: "
                             f"{str(error).splitlines()[0][:120] if str(error) else 'no details'})"
                             ) from None
