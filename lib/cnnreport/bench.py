"""Benchmark: this engine against a plain torchvision DataLoader pipeline, in one process.

Both train the same model with the same optimizer, batch size and augmentation (random 2-pixel
translation) on the same MNIST images and device. The baseline is what a tutorial writes:
`torchvision.datasets.MNIST` with per-sample PIL transforms (`Pad`, `RandomCrop`, `ToTensor`) and a
`DataLoader`. The engine keeps the images as one uint8 tensor on the device and slices batches by
index. Throughput is images per second over whole epochs after one warm-up epoch; on CUDA the clock
is read after a synchronize.

    python -m cnnreport.bench [--images 10000] [--epochs 2] [--profile full]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

from . import atomic
from .build import profile_path
from .config import load_params
from .data import ImageSet, load_dataset
from .models import ConvNet
from .paths import artifacts_dir, project_root
from .seeding import seed_everything
from .train import make_optimizer, make_schedule, pick_device, train_batches


def _synchronize(device: torch.device) -> None:
    if device.type == "cuda":
        torch.cuda.synchronize()


def engine_epoch_seconds(model, images: ImageSet, config, device, epochs: int) -> list[float]:
    optimizer = make_optimizer(model, config)
    schedule = make_schedule(optimizer, config, -(-len(images) // config.batch_size))
    generator = torch.Generator(device=device).manual_seed(0)
    seconds = []
    for _ in range(epochs + 1):  # the first epoch warms up kernels and allocator
        _synchronize(device)
        started = time.perf_counter()
        loss_sum, _ = train_batches(model, images, config, optimizer, schedule, generator)
        float(loss_sum)
        _synchronize(device)
        seconds.append(time.perf_counter() - started)
    return seconds[1:]


def dataloader_epoch_seconds(model, root: Path, count: int, config, device, epochs: int,
                             workers: int) -> list[float]:
    pipeline = transforms.Compose([transforms.Pad(2), transforms.RandomCrop(32, padding=2),
                                   transforms.ToTensor()])
    dataset = Subset(datasets.MNIST(str(root), train=True, download=False, transform=pipeline),
                     range(count))
    loader = DataLoader(dataset, batch_size=config.batch_size, shuffle=True, num_workers=workers,
                        pin_memory=device.type == "cuda")
    optimizer = make_optimizer(model, config)
    model.train()
    seconds = []
    for _ in range(epochs + 1):
        _synchronize(device)
        started = time.perf_counter()
        for images, labels in loader:
            images = images.to(device, non_blocking=True).expand(-1, 3, -1, -1)
            labels = labels.to(device, non_blocking=True)
            with torch.autocast(device_type=device.type, dtype=torch.bfloat16,
                                enabled=device.type == "cuda"):
                loss = F.cross_entropy(model(images).float(), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
        _synchronize(device)
        seconds.append(time.perf_counter() - started)
    return seconds[1:]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="full", help="model and batch size come from it")
    parser.add_argument("--images", type=int, default=10000, help="MNIST training images per epoch")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs (after one warm-up)")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    arguments = parser.parse_args(argv)

    params = load_params(profile_path(arguments.profile, project_root()))
    seed_everything(params.seed)
    device = pick_device()
    mnist = load_dataset(params, "mnist")
    images = mnist.take(torch.arange(arguments.images)).to(device)
    results = {}
    for name in ("engine", "dataloader"):
        torch.manual_seed(params.seed)
        model = ConvNet(params.model).to(device)
        if name == "engine":
            seconds = engine_epoch_seconds(model, images, params.train, device, arguments.epochs)
        else:
            seconds = dataloader_epoch_seconds(model, params.data_root(), arguments.images,
                                               params.train, device, arguments.epochs,
                                               arguments.workers)
        per_epoch = sum(seconds) / len(seconds)
        results[name] = {"seconds_per_epoch": per_epoch, "images_per_second": arguments.images / per_epoch}
        print(f"{name:>10}: {results[name]['images_per_second']:9.0f} images/s, "
              f"{per_epoch:7.2f} s per epoch of {arguments.images} images", flush=True)
    ratio = results["engine"]["images_per_second"] / results["dataloader"]["images_per_second"]
    hardware = torch.cuda.get_device_name() if device.type == "cuda" else \
        f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    print(f"engine / DataLoader throughput: {ratio:.2f}x on {hardware}, model "
          f"{params.profile} profile, batch size {params.train.batch_size}", flush=True)
    atomic.write_json(artifacts_dir() / "bench" / f"bench-{device.type}.json",
                      {"hardware": hardware, "torch": torch.__version__, "ratio": ratio,
                       "images": arguments.images, "batch_size": params.train.batch_size,
                       "profile": params.profile, **results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
