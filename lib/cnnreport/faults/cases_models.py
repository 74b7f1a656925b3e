"""Model and checkpoint files that are not what they claim: each is refused with a message naming
the file, and nothing in it is executed (every torch file is read with weights_only=True)."""

from __future__ import annotations

import collections
from pathlib import Path

from .kit import Bench, Outcome, Victim, expect_error, fault_case
from .victims import reference, run_folder

MODELS = "model files"


class PickledCallable:
    """What a malicious model file would carry: unpickling it would run `print` (any function)."""

    def __reduce__(self):
        return (print, ("this must never run",))


def _model_file(bench: Bench) -> Path:
    """A real model file of the probe run (trained once per campaign)."""
    reference(bench)
    return next((bench.shared / "reference" / "models").glob("*.pt"))


def _load(path: Path):
    from ..analysis.inference import load_model

    return load_model(path)


def _model_error():
    from ..analysis.inference import ModelFileError

    return (ModelFileError,)


@fault_case(MODELS)
def foreign_torch_file(bench: Bench) -> Outcome:
    """A plain state dict saved by someone else's script."""
    import torch

    path = bench.folder / "foreign.pt"
    torch.save(collections.OrderedDict(weight=torch.zeros(3, 3)), path)
    return expect_error(lambda: _load(path), _model_error(),
                        ["foreign.pt", "is not a cnn-report model file"])


@fault_case(MODELS)
def truncated_model_file(bench: Bench) -> Outcome:
    """A real model file cut in half (an interrupted copy)."""
    path = bench.folder / "truncated.pt"
    data = _model_file(bench).read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return expect_error(lambda: _load(path), _model_error(),
                        ["truncated.pt", "truncated, damaged or not a PyTorch file"])


@fault_case(MODELS)
def model_file_of_another_architecture(bench: Bench) -> Outcome:
    """A real model file whose weights were swapped for another network's."""
    import torch

    payload = torch.load(_model_file(bench), weights_only=True)
    payload["state_dict"] = {key: torch.zeros(*value.shape[:-1], value.shape[-1] + 1)
                             if value.dim() else value for key, value in payload["state_dict"].items()}
    path = bench.folder / "mismatched.pt"
    torch.save(payload, path)
    return expect_error(lambda: _load(path), _model_error(),
                        ["mismatched.pt", "weights do not match architecture"])


@fault_case(MODELS)
def pickle_payload_refused(bench: Bench) -> Outcome:
    """A model file carrying an object whose unpickling would run code: refused, not run."""
    import torch

    payload = torch.load(_model_file(bench), weights_only=True)
    payload["extra"] = PickledCallable()
    path = bench.folder / "pickled.pt"
    torch.save(payload, path)
    return expect_error(lambda: _load(path), _model_error(),
                        ["pickled.pt", "refused", "weights_only=True"])


@fault_case(MODELS)
def random_bytes_as_a_model(bench: Bench) -> Outcome:
    """A file of random bytes with a .pt name."""
    import numpy as np

    path = bench.folder / "noise.pt"
    path.write_bytes(np.random.default_rng(bench.seed).bytes(4096))
    return expect_error(lambda: _load(path), _model_error(), ["noise.pt", "not a readable model file"])


@fault_case(MODELS)
def damaged_training_checkpoint(bench: Bench) -> Outcome:
    """A run's checkpoint damaged from outside: the resuming build stops with its name and leaves
    it for inspection, instead of training over it."""
    victim = Victim.start(["train", "--epochs", "1", "--stall", "result.json"])
    victim.wait_for("STALLED")
    victim.kill()
    checkpoint = run_folder(bench.artifacts) / "checkpoint.pt"
    data = checkpoint.read_bytes()
    checkpoint.write_bytes(data[: len(data) // 3])
    again = Victim.start(["train", "--epochs", "1"])
    code = again.finish()
    error = again.line("ERROR") or ""
    kept = checkpoint.read_bytes() == data[: len(data) // 3]
    named = "checkpoint.pt" in error and "truncated, damaged or not a PyTorch file" in error
    return Outcome(code == 1 and named and kept, 0, f"exit {code}: {error[:200]}")
