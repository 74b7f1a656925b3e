"""The fault campaign's victims: a small real training run and a small real render, each in a
process the campaign can kill, starve of disk or race (`python -m cnnreport.faults.probe ...`).

The run is MNIST (1,500 images of the mnist-merged quick profile's split), three epochs of a
two-layer ConvNet on one CPU thread: seconds per process, and identical metrics in every process.
Fault injection happens here, in the victim, never in the project's code: `--stall FILE` lets the
project write FILE through its own atomic writer, cuts the temporary to half its bytes and waits to
be killed (a kill in the middle of that write); `--fsize-limit` sets RLIMIT_FSIZE, which makes every
write past that size fail as a full disk does.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

PROBE = {  # the probe run: small enough for seconds per process
    "study": "mnist-merged", "profile": "quick", "dataset": "mnist",
    "images": 1500,  # data.max_images: the pooled images the split is drawn from
    "train_images": 1000, "epochs": 3, "batch_size": 32, "learning_rate": 0.01,
    "channels": (8, 16), "feature_dim": 32,
}
STALL_SECONDS = 600  # a stalled victim waits this long for its kill


def probe_params():
    from ..studies.registry import load_study_params

    return load_study_params(PROBE["study"], PROBE["profile"], {"data.max_images": PROBE["images"]})


def probe_request(params, epochs: int = PROBE["epochs"]):
    """The probe run's spec and training data (the split is made and cached on first use)."""
    from ..config.sections import TrainConfig
    from ..data.splits import load_splits
    from ..models.convnet import ConvNetConfig
    from ..studies.variants import training_data
    from ..training.runs import RunSpec

    splits = load_splits(params, PROBE["dataset"])
    data, key = training_data(splits, PROBE["train_images"], params.seed)
    spec = RunSpec("fault-probe", PROBE["dataset"],
                   ConvNetConfig(channels=PROBE["channels"], feature_dim=PROBE["feature_dim"]),
                   TrainConfig(epochs=epochs, batch_size=PROBE["batch_size"],
                               learning_rate=PROBE["learning_rate"]),
                   params.seed, splits.definition(params), key)
    return spec, data


def measured(history: list[dict]) -> list[dict]:
    """Everything an epoch measured except how long it took and where."""
    return [{key: value for key, value in record.items() if key not in ("seconds", "device")}
            for record in history]


# ---------------------------------------------------------------------------------------------
# Fault injection inside the victim


def stall_write(name: str, occurrence: int) -> None:
    """The `occurrence`-th atomic write of a file called `name` stops halfway and waits."""
    from ..common import atomic

    original = atomic.write_with
    seen = [0]

    def stalling(target, writer):
        if Path(target).name != name:
            return original(target, writer)
        seen[0] += 1
        if seen[0] < occurrence:
            return original(target, writer)
        with atomic.atomic_path(target) as temporary:
            writer(temporary)
            size = temporary.stat().st_size
            os.truncate(temporary, size // 2)
            print(f"STALLED writing {target} ({size // 2:,} of {size:,} bytes)", flush=True)
            time.sleep(STALL_SECONDS)

    atomic.write_with = stalling


def stall_render(stage: str) -> None:
    """A render that stops while writing its PDF ("pdf") or between swapping the old report out
    and the new one in ("swap")."""
    from ..book import render

    if stage == "pdf":
        original = render._compile_typst

        def stalling(source, output, root):
            original(source, output, root)
            os.truncate(output, output.stat().st_size // 2)
            print(f"STALLED writing {output}", flush=True)
            time.sleep(STALL_SECONDS)

        render._compile_typst = stalling
        return
    original_rename = Path.rename

    def rename(self, target):
        result = original_rename(self, target)
        if str(target).endswith(".previous"):
            print(f"STALLED between moving {self} away and moving its replacement in", flush=True)
            time.sleep(STALL_SECONDS)
        return result

    Path.rename = rename


# ---------------------------------------------------------------------------------------------
# The victim process


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m cnnreport.faults.probe")
    parser.add_argument("command", choices=("train", "render"))
    parser.add_argument("--epochs", type=int, default=PROBE["epochs"])
    parser.add_argument("--stall", help="train: the file whose write stops halfway; render: pdf|swap")
    parser.add_argument("--stall-at", type=int, default=1, help="which write of that file")
    parser.add_argument("--fsize-limit", type=int, help="RLIMIT_FSIZE in bytes (a full disk)")
    parser.add_argument("--study", default=PROBE["study"])
    arguments = parser.parse_args(argv)

    import torch

    from ..common.atomic import ArtifactWriteError
    from ..common.torch_files import TorchFileError

    torch.set_num_threads(1)
    if arguments.fsize_limit:
        resource.setrlimit(resource.RLIMIT_FSIZE, (arguments.fsize_limit, arguments.fsize_limit))
    try:
        if arguments.command == "train":
            return _train(arguments)
        return _render(arguments)
    except (ArtifactWriteError, TorchFileError, OSError, RuntimeError) as error:
        print(f"ERROR {type(error).__name__}: {error}", flush=True)
        return 1


def _train(arguments) -> int:
    from ..training.runs import make_run

    if arguments.stall:
        stall_write(arguments.stall, arguments.stall_at)
    spec, data = probe_request(probe_params(), arguments.epochs)
    print("READY", flush=True)
    run = make_run(spec, data, show_batches=False,
                   on_epoch_end=lambda epoch, record: print(f"EPOCH {epoch}", flush=True))
    print(f"TRAINED {run.trained_epochs} {json.dumps(measured(run.history))}", flush=True)
    return 0


def _render(arguments) -> int:
    from ..book.render import render_report

    if arguments.stall:
        stall_render(arguments.stall)
    print("READY", flush=True)
    render_report(Path.cwd(), arguments.study)
    print("RENDERED", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
