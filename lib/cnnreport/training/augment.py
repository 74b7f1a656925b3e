"""Random augmentations written from scratch on batched tensors, on the device.

No torchvision transform and no per-sample Python: each function takes a whole batch and a seeded
generator and draws one random setting per image. Shifts and flips work on the stored uint8 images;
crops, rotations and colour jitter on float images in [0, 1] (bilinear resampling through an affine
grid each image gets its own matrix for), and stay in [0, 1].
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F


def _uniform(count: int, low: float, high: float, generator: torch.Generator, device) -> torch.Tensor:
    return low + (high - low) * torch.rand(count, generator=generator, device=device)


def random_shift(images: torch.Tensor, max_shift: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each image by up to `max_shift` pixels (zero fill): a random crop of a padded image."""
    if max_shift == 0:
        return images
    count, channels, height, width = images.shape
    padded = F.pad(images, (max_shift,) * 4)
    device = images.device
    offsets = torch.randint(0, 2 * max_shift + 1, (2, count), generator=generator, device=device)
    rows = (offsets[0, :, None] + torch.arange(height, device=device))[:, None, :, None]
    columns = (offsets[1, :, None] + torch.arange(width, device=device))[:, None, None, :]
    batch = torch.arange(count, device=device)[:, None, None, None]
    channel = torch.arange(channels, device=device)[None, :, None, None]
    return padded[batch, channel, rows, columns]


def random_flip(images: torch.Tensor, generator: torch.Generator) -> torch.Tensor:
    """Mirror a random half of the images left to right."""
    flip = torch.rand(len(images), generator=generator, device=images.device) < 0.5
    return torch.where(flip[:, None, None, None], images.flip(-1), images)


def _warp(images: torch.Tensor, theta: torch.Tensor) -> torch.Tensor:
    """Resample each image through its own 2x3 affine matrix (output coordinates -> input)."""
    grid = F.affine_grid(theta, list(images.shape), align_corners=False)
    return F.grid_sample(images, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def random_resized_crop(images: torch.Tensor, min_scale: float, generator: torch.Generator,
                        ratio: tuple[float, float] = (3 / 4, 4 / 3)) -> torch.Tensor:
    """A random window of each image, covering a share in [min_scale, 1] of its area with an aspect
    ratio in `ratio`, stretched back to the full size. min_scale 1 leaves images as they are."""
    if min_scale >= 1:
        return images
    count, device = len(images), images.device
    area = _uniform(count, min_scale, 1.0, generator, device)
    log_ratio = _uniform(count, math.log(ratio[0]), math.log(ratio[1]), generator, device)
    aspect = torch.exp(log_ratio)
    width = torch.sqrt(area * aspect).clamp(max=1.0)  # fractions of the image's side
    height = torch.sqrt(area / aspect).clamp(max=1.0)
    centre_x = _uniform(count, -1.0, 1.0, generator, device) * (1 - width)
    centre_y = _uniform(count, -1.0, 1.0, generator, device) * (1 - height)
    theta = torch.zeros(count, 2, 3, device=device)
    theta[:, 0, 0], theta[:, 0, 2] = width, centre_x
    theta[:, 1, 1], theta[:, 1, 2] = height, centre_y
    return _warp(images, theta)


def random_rotation(images: torch.Tensor, max_degrees: float, generator: torch.Generator) -> torch.Tensor:
    """Rotate each image about its centre by an angle in [-max_degrees, max_degrees] (corners
    filled with black)."""
    if max_degrees == 0:
        return images
    count, device = len(images), images.device
    angle = torch.deg2rad(_uniform(count, -max_degrees, max_degrees, generator, device))
    height, width = images.shape[-2:]
    theta = torch.zeros(count, 2, 3, device=device)
    theta[:, 0, 0], theta[:, 0, 1] = torch.cos(angle), -torch.sin(angle) * height / width
    theta[:, 1, 0], theta[:, 1, 1] = torch.sin(angle) * width / height, torch.cos(angle)
    return _warp(images, theta)


GREY = (0.299, 0.587, 0.114)  # ITU-R 601 luma


def colour_jitter(images: torch.Tensor, strength: float, generator: torch.Generator) -> torch.Tensor:
    """Brightness, contrast and saturation each scaled by a random factor in [1 - strength,
    1 + strength], per image; results clipped to [0, 1]. Grey images get brightness and contrast."""
    if strength == 0:
        return images
    count, device = len(images), images.device

    def factor():
        return _uniform(count, 1 - strength, 1 + strength, generator, device)[:, None, None, None]

    jittered = images * factor()  # brightness
    if images.shape[1] == 3:
        weights = torch.tensor(GREY, device=device).view(1, 3, 1, 1)
        grey = (jittered * weights).sum(dim=1, keepdim=True)
        jittered = grey + (jittered - grey) * factor()  # saturation
    mean = jittered.mean(dim=(1, 2, 3), keepdim=True)
    jittered = mean + (jittered - mean) * factor()  # contrast
    return jittered.clamp(0.0, 1.0)
