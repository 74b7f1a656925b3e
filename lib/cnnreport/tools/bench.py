"""Benchmark: this engine against a plain DataLoader pipeline, in one process.

Both train the same model with the same optimizer, batch size and augmentation (random 2-pixel
translation) on the same images (the study's first dataset) and device. The baseline is what a
tutorial writes: a dataset that turns each uint8 image into a PIL image and applies per-sample
transforms (`RandomCrop` with padding, `ToTensor`), batched by a `DataLoader` (as torchvision's MNIST
does). The engine keeps the images as one uint8 tensor on the device and slices batches by index.
Throughput is images per second over whole epochs after one warm-up epoch; on CUDA the clock is read
after a synchronize.

    python -m cnnreport.tools.bench [--study mnist-svhn] [--images 10000] [--epochs 2] [--profile full]
                                    [--memory-format channels_last] [--engine-only]
    python -m cnnreport.tools.bench --executors ...   (the run executors instead: bench_executors)
    python -m cnnreport.tools.bench --chapter-kernels ...   (a chapter's fixed cost: bench_kernels)

`--memory-format` overrides the engine's choice (channels_last on CUDA, and on CPU for the
architectures measured faster with it) to measure both on any model.
"""

from __future__ import annotations

import argparse
import platform
import sys
import time

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Dataset
from torchvision import transforms

from ..common import atomic
from ..common.paths import artifacts_dir
from ..common.seeding import seed_everything
from ..data.image_set import ImageSet
from ..data.splits import load_splits
from ..models import build_model
from ..studies.registry import DEFAULT_STUDY, load_study_params
from ..training.engine import make_optimizer, make_schedule, pick_device, train_batches


class PerSampleImages(Dataset):
    """What a tutorial's dataset does per item: uint8 image -> PIL image -> transforms."""

    def __init__(self, image_set: ImageSet, pipeline):
        self.images, self.labels, self.pipeline = image_set.images, image_set.labels, pipeline

    def __len__(self) -> int:
        return len(self.labels)

    def __getitem__(self, index: int):
        image = transforms.functional.to_pil_image(self.images[index])
        return self.pipeline(image), int(self.labels[index])


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


def dataloader_epoch_seconds(model, images: ImageSet, config, device, epochs: int,
                             workers: int) -> list[float]:
    side = images.shape[-1]
    pipeline = transforms.Compose([transforms.RandomCrop(side, padding=config.augment_shift),
                                   transforms.ToTensor()])
    loader = DataLoader(PerSampleImages(images, pipeline), batch_size=config.batch_size,
                        shuffle=True, num_workers=workers, pin_memory=device.type == "cuda")
    optimizer = make_optimizer(model, config)
    model.train()
    seconds = []
    for _ in range(epochs + 1):
        _synchronize(device)
        started = time.perf_counter()
        for images, labels in loader:
            images = images.to(device, non_blocking=True)  # ToTensor already scaled to [0, 1]
            if images.shape[1] != model.input_shape[0]:
                images = images.expand(-1, model.input_shape[0], -1, -1)
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
    if "--executors" in (sys.argv[1:] if argv is None else argv):  # local vs processes executor
        from .bench_executors import main as bench_executors
        return bench_executors(argv)
    if "--chapter-kernels" in (sys.argv[1:] if argv is None else argv):  # fresh vs warm kernels
        from .bench_kernels import main as bench_kernels
        return bench_kernels(argv)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", default=DEFAULT_STUDY, help="data, model and batch size come "
                        "from its params")
    parser.add_argument("--profile", default="full", help="model and batch size come from it")
    parser.add_argument("--images", type=int, default=10000, help="training images per epoch")
    parser.add_argument("--epochs", type=int, default=2, help="timed epochs (after one warm-up)")
    parser.add_argument("--workers", type=int, default=2, help="DataLoader worker processes")
    parser.add_argument("--memory-format", choices=("auto", "channels_last", "contiguous"),
                        default="auto", help="engine tensors' memory format on the CPU")
    parser.add_argument("--engine-only", action="store_true", help="skip the DataLoader baseline")
    arguments = parser.parse_args(argv)

    params = load_study_params(arguments.study, arguments.profile)
    seed_everything(params.seed)
    device = pick_device()
    splits = load_splits(params, params.data.datasets[0])
    images = splits.train.take(torch.arange(min(arguments.images, len(splits.train))))
    input_shape = splits.input_shape
    # a study may derive training settings from its params (e.g. the batch size from a roll number)
    config = params.train_config() if hasattr(params, "train_config") else params.train
    results = {}
    for name in ("engine",) if arguments.engine_only else ("engine", "dataloader"):
        torch.manual_seed(params.seed)
        model = build_model(params.model, input_shape, splits.train.num_classes).to(device)
        if arguments.memory_format != "auto":
            model.channels_last_on_cpu = arguments.memory_format == "channels_last"
        if name == "engine":
            seconds = engine_epoch_seconds(model, images.to(device), config, device,
                                           arguments.epochs)
        else:
            seconds = dataloader_epoch_seconds(model, images, config, device,
                                               arguments.epochs, arguments.workers)
        per_epoch = sum(seconds) / len(seconds)
        results[name] = {"seconds_per_epoch": per_epoch, "images_per_second": len(images) / per_epoch}
        print(f"{name:>10}: {results[name]['images_per_second']:9.0f} images/s, "
              f"{per_epoch:7.2f} s per epoch of {len(images)} images", flush=True)
    hardware = torch.cuda.get_device_name() if device.type == "cuda" else \
        f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"
    ratio = None
    if "dataloader" in results:
        ratio = results["engine"]["images_per_second"] / results["dataloader"]["images_per_second"]
        print(f"engine / DataLoader throughput: {ratio:.2f}x on {hardware}, model "
              f"{params.model.tag()} ({params.study_name}, {params.profile} profile), batch size "
              f"{config.batch_size}", flush=True)
    atomic.write_json(artifacts_dir() / "bench" / f"bench-{params.study_name}-{device.type}.json",
                      {"hardware": hardware, "torch": torch.__version__, "ratio": ratio,
                       "images": len(images), "batch_size": config.batch_size,
                       "memory_format": arguments.memory_format,
                       "study": params.study_name, "profile": params.profile, **results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
