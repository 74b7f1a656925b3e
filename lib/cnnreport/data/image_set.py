"""Images held as whole tensors: uint8 [N, C, H, W] with int64 labels and their class names.

Whole splits live on the device as one uint8 tensor each and batches are slices of it, so there is
no per-sample Python in training. Converting to the model's input (float in [0, 1], the model's
channel count) happens per batch, on the device.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import torch
import torch.nn.functional as F

GREY_WEIGHTS = (0.299, 0.587, 0.114)  # ITU-R 601 luma, for colour images fed to grey models


@dataclass(frozen=True)
class ImageSet:
    """A dataset or part of one: images [N, C, H, W] uint8, labels [N] int64, class names."""

    name: str  # dataset registry name (a label map keeps it: the images are the same)
    display_name: str  # e.g. "SVHN (synthetic stand-in)"
    images: torch.Tensor
    labels: torch.Tensor
    classes: tuple[str, ...]  # class names, indexed by label
    source: str  # "real" or "stand-in"
    fingerprint: str  # identifies the content (split and run hashes include it)
    feed_channels: int | None = None  # channels a study feeds its models (None: the images' own)
    # the whole pooled dataset's first `official_train` images are its official train part (None:
    # no official parts); a part taken out of it no longer knows, so `take` forgets it
    official_train: int | None = None

    def __len__(self) -> int:
        return int(self.labels.shape[0])

    @property
    def num_classes(self) -> int:
        return len(self.classes)

    @property
    def shape(self) -> tuple[int, int, int]:
        """(channels, height, width) of one stored image."""
        return tuple(int(size) for size in self.images.shape[1:])

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(channels, height, width) a model trained on these images takes."""
        channels, height, width = self.shape
        return (self.feed_channels or channels, height, width)

    def take(self, indices: np.ndarray | torch.Tensor) -> "ImageSet":
        index = torch.as_tensor(np.asarray(indices), dtype=torch.long)
        return replace(self, images=self.images[index], labels=self.labels[index],
                       official_train=None)

    def to(self, device: torch.device | str) -> "ImageSet":
        return replace(self, images=self.images.to(device), labels=self.labels.to(device))


def fit_size(images: torch.Tensor, size: int | None) -> torch.Tensor:
    """Square images of side `size`: smaller ones zero-padded around the centre (MNIST 28 -> 32,
    pixels unchanged), others resized (bilinear, antialiased). None keeps the native size."""
    if size is None or images.shape[-2:] == (size, size):
        return images
    height, width = images.shape[-2:]
    if height <= size and width <= size:
        top, left = (size - height) // 2, (size - width) // 2
        return F.pad(images, (left, size - width - left, top, size - height - top)).contiguous()
    resized = F.interpolate(images.float(), size=(size, size), mode="bilinear", antialias=True,
                            align_corners=False)
    return resized.round().clamp(0, 255).to(torch.uint8)


def to_model_input(images: torch.Tensor, channels: int | None = None) -> torch.Tensor:
    """uint8 [B, C, H, W] -> float [B, channels, H, W] in [0, 1].

    Grey images broadcast to 3 channels as a view (no copy); colour images fed to a grey model
    become their luma. `channels` None keeps the images' own. Float inputs (features of a frozen
    network, stored as [B, F, 1, 1]) pass unscaled.
    """
    scaled = images.float().div_(255.0) if images.dtype == torch.uint8 else images.float()
    if channels is None or channels == scaled.shape[1]:
        return scaled
    if channels == 3 and scaled.shape[1] == 1:
        return scaled.expand(-1, 3, -1, -1)
    if channels == 1 and scaled.shape[1] == 3:
        weights = torch.tensor(GREY_WEIGHTS, device=scaled.device).view(1, 3, 1, 1)
        return (scaled * weights).sum(dim=1, keepdim=True)
    raise ValueError(f"cannot feed {scaled.shape[1]}-channel images to a {channels}-channel model")
