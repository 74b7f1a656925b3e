"""Datasets as whole uint8 tensors in one shared format.

MNIST (1x28x28 grey) and SVHN (3x32x32 colour) become the same `[N, C, 32, 32]` uint8 layout, MNIST
zero-padded to 32 with C=1 and broadcast to 3 channels at batch time (a view, no copy). One format
means one architecture and cross-dataset evaluation without special cases. Decoding (gzip idx files,
MATLAB files) happens once; the decoded tensors are cached under `artifacts/cache/`.
torchvision is imported only to decode or download (its import costs seconds in every chapter
kernel, and the cache makes it unnecessary after the first build).
"""

from __future__ import annotations

import hashlib
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from . import atomic
from .config import DATA_ROOT_ENV, DATASETS, Params
from .paths import artifacts_dir

IMAGE_SIZE = 32
CLASS_NAMES = tuple(str(digit) for digit in range(10))
MNIST_FILES = ("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
               "t10k-labels-idx1-ubyte")
SVHN_FILES = ("train_32x32.mat", "test_32x32.mat")
DISPLAY_NAMES = {"mnist": "MNIST", "svhn": "SVHN"}


class DataNotFoundError(FileNotFoundError):
    """Dataset files are missing and could not be downloaded; the message says what and where."""


@dataclass(frozen=True)
class ImageSet:
    """A dataset (or part of one) held as tensors: uint8 images [N, C, 32, 32], int64 labels [N]."""

    name: str
    images: torch.Tensor
    labels: torch.Tensor
    source: str  # "real" or "synthetic"
    fingerprint: str  # identifies the decoded content (used in split and run hashes)

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def display_name(self) -> str:
        suffix = " (synthetic stand-in)" if self.source == "synthetic" else ""
        return DISPLAY_NAMES[self.name] + suffix

    def take(self, indices: np.ndarray | torch.Tensor) -> "ImageSet":
        index = torch.as_tensor(np.asarray(indices), dtype=torch.long)
        return ImageSet(self.name, self.images[index], self.labels[index], self.source,
                        self.fingerprint)

    def to(self, device: torch.device | str) -> "ImageSet":
        return ImageSet(self.name, self.images.to(device), self.labels.to(device), self.source,
                        self.fingerprint)


def to_model_input(images: torch.Tensor) -> torch.Tensor:
    """uint8 [B, C, 32, 32] -> float [B, 3, 32, 32] in [0, 1]; grey images broadcast to 3 channels."""
    scaled = images.float().div_(255.0)
    return scaled.expand(-1, 3, -1, -1) if scaled.shape[1] == 1 else scaled


def load_dataset(params: Params, name: str) -> ImageSet:
    """The whole pooled dataset (official train then official test), from the cache when possible."""
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(DATASETS)}")
    source_folder, source = _locate_files(params, name)
    cache_path = artifacts_dir() / "cache" / f"{name}-{source}-{_files_key(source_folder, name)}.pt"
    if cache_path.is_file():
        cached = torch.load(cache_path, weights_only=True)
        return ImageSet(name, cached["images"], cached["labels"], source, cached["fingerprint"])
    images, labels = _decode(name, source_folder, source)
    fingerprint = _content_fingerprint(name, source, labels, images)
    atomic.torch_save(cache_path, {"images": images, "labels": labels, "fingerprint": fingerprint})
    return ImageSet(name, images, labels, source, fingerprint)


def data_notice(image_set: ImageSet, params: Params) -> str | None:
    """A sentence for the report when the data are not the real dataset, else None.

    `image_set` is the whole pooled dataset, whose size the sentence states.
    """
    if image_set.source != "synthetic":
        return None
    return (f"Real SVHN files (`{'`, `'.join(SVHN_FILES)}`) were not found under "
            f"`{params.data_root() / 'SVHN'}`; every SVHN result in this report uses a synthetic "
            f"stand-in of {len(image_set):,} rendered house-number crops in SVHN's own file format. "
            f"Its numbers show that the pipeline works, not how models fare on real SVHN.")


# ---------------------------------------------------------------------------------------------
# Locating files


def _locate_files(params: Params, name: str) -> tuple[Path, str]:
    root = params.data_root()
    if name == "mnist":
        _ensure_mnist(root, params.data.download)
        return root / "MNIST" / "raw", "real"
    return _locate_svhn(params, root)


def _ensure_mnist(root: Path, download: bool) -> None:
    raw = root / "MNIST" / "raw"
    missing = [name for name in MNIST_FILES if not (raw / name).is_file()]
    if not missing:
        return
    gz_present = all((raw / f"{name}.gz").is_file() for name in missing)
    if download or gz_present:  # torchvision extracts present .gz files without a network
        from torchvision import datasets

        try:
            datasets.MNIST(str(root), train=True, download=True)
            return
        except Exception as error:  # no network, read-only folder, bad checksum
            reason = f" (download failed: {error})"
    else:
        reason = " (download is off: data.download = false)"
    raise DataNotFoundError(
        f"MNIST files missing under {raw}: {', '.join(missing)}{reason}. Put torchvision's MNIST "
        f"files there (plain or .gz), or point {DATA_ROOT_ENV} / data.root at a folder that has "
        f"MNIST/raw/.")


def _locate_svhn(params: Params, root: Path) -> tuple[Path, str]:
    choice = params.data.svhn_source
    if choice in ("auto", "real"):
        for folder in (root / "SVHN", root):
            if all((folder / name).is_file() for name in SVHN_FILES):
                return folder, "real"
    if choice == "real":
        return _download_svhn(root, params.data.download), "real"
    folder = artifacts_dir() / "synthetic" / f"SVHN-{params.data.synthetic_svhn_images}-{params.seed}"
    if not all((folder / name).is_file() for name in SVHN_FILES):
        from .synthetic_svhn import write_synthetic_svhn

        print(f"Real SVHN not found under {root / 'SVHN'}; writing a synthetic stand-in of "
              f"{params.data.synthetic_svhn_images} images to {folder}", file=sys.stderr, flush=True)
        write_synthetic_svhn(folder, params.data.synthetic_svhn_images, params.seed)
    return folder, "synthetic"


def _download_svhn(root: Path, download: bool) -> Path:
    folder = root / "SVHN"
    missing = [name for name in SVHN_FILES if not (folder / name).is_file()]
    reason = " (download is off: data.download = false)"
    if download:
        from torchvision import datasets

        try:
            for split in ("train", "test"):
                datasets.SVHN(str(folder), split=split, download=True)
            return folder
        except Exception as error:
            reason = f" (download failed: {error})"
    raise DataNotFoundError(
        f"SVHN files missing under {folder}: {', '.join(missing)}{reason}. Put torchvision's SVHN "
        f"files there, point {DATA_ROOT_ENV} / data.root at a folder with SVHN/, or set "
        f"data.svhn_source to 'auto' or 'synthetic' (choices: auto, real, synthetic).")


def _files_key(folder: Path, name: str) -> str:
    """Cheap identity of the source files (names and sizes) so a changed file invalidates the cache."""
    names = MNIST_FILES if name == "mnist" else SVHN_FILES
    described = [f"{file}:{(folder / file).stat().st_size}" for file in names]
    return hashlib.sha256("|".join(described).encode()).hexdigest()[:12]


# ---------------------------------------------------------------------------------------------
# Decoding


def _decode(name: str, folder: Path, source: str) -> tuple[torch.Tensor, torch.Tensor]:
    from torchvision import datasets

    if name == "mnist":
        parts = [datasets.MNIST(str(folder.parent.parent), train=train, download=False)
                 for train in (True, False)]
        images = torch.cat([part.data for part in parts]).unsqueeze(1)  # [N, 1, 28, 28]
        pad = (IMAGE_SIZE - images.shape[-1]) // 2
        images = torch.nn.functional.pad(images, (pad, pad, pad, pad))
        labels = torch.cat([part.targets for part in parts])
    else:
        loader = datasets.SVHN if source == "real" else _unverified_svhn()
        parts = [loader(str(folder), split=split, download=False) for split in ("train", "test")]
        images = torch.from_numpy(np.concatenate([part.data for part in parts]))
        labels = torch.from_numpy(np.concatenate([part.labels for part in parts]))
    return images.contiguous(), labels.long()


def _unverified_svhn():
    """torchvision checks SVHN files against published md5 sums; our synthetic file has none.

    Only that check is replaced (by an existence check); loading and label mapping stay torchvision's.
    """
    from torchvision import datasets

    class UnverifiedSVHN(datasets.SVHN):
        def _check_integrity(self) -> bool:
            return (Path(self.root) / self.filename).is_file()

    return UnverifiedSVHN


def _content_fingerprint(name: str, source: str, labels: torch.Tensor, images: torch.Tensor) -> str:
    digest = hashlib.sha256(f"{name}|{source}|{tuple(images.shape)}".encode())
    digest.update(labels.numpy().tobytes())
    digest.update(images[:: max(1, len(images) // 997)].numpy().tobytes())  # a sample of pixels
    return digest.hexdigest()[:16]
