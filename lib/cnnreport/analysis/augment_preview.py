"""One image under each random augmentation a training section turns on, for the report's figure.

The functions are the training ones (training/augment.py, and the engine's `augment` for all of them
together), drawn with a seeded generator, so the figure shows exactly what training sees.
"""

from __future__ import annotations

import dataclasses

import torch

from ..config.sections import TrainConfig
from ..data.image_set import to_model_input
from ..training import augment as augmentations
from ..training.engine import augment


def augmented_copies(image: torch.Tensor, config: TrainConfig, copies: int,
                     seed: int) -> dict[str, torch.Tensor]:
    """uint8 [copies, C, H, W] per augmentation `config` turns on, then all of them together."""
    batch = image[None].expand(copies, *image.shape).contiguous()
    generator = torch.Generator().manual_seed(seed)
    floats = to_model_input(batch)
    rows = {}
    if config.augment_shift:
        rows[f"shift ≤ {config.augment_shift} px"] = augmentations.random_shift(
            batch, config.augment_shift, generator)
    if config.augment_flip:
        rows["horizontal flip"] = augmentations.random_flip(batch, generator)
    if config.augment_crop < 1:
        rows[f"resized crop ≥ {config.augment_crop:g} of area"] = as_uint8(
            augmentations.random_resized_crop(floats, config.augment_crop, generator))
    if config.augment_rotate:
        rows[f"rotation ≤ {config.augment_rotate:g}°"] = as_uint8(
            augmentations.random_rotation(floats, config.augment_rotate, generator))
    if config.augment_jitter:
        rows[f"colour jitter ±{config.augment_jitter:g}"] = as_uint8(
            augmentations.colour_jitter(floats, config.augment_jitter, generator))
    rows["all together (training)"] = as_uint8(augment(batch, config, generator, image.shape[0]))
    return rows


def as_uint8(images: torch.Tensor) -> torch.Tensor:
    """[0, 1] floats (or uint8, passed through) -> uint8 images for display."""
    if images.dtype == torch.uint8:
        return images
    return images.mul(255).round().clamp(0, 255).to(torch.uint8)


def augmentations_on(config: TrainConfig) -> int:
    """How many random augmentations the section turns on (the assignment asks for at least 3)."""
    on = dataclasses.asdict(config)
    return sum(bool(value) for value in (on["augment_shift"], on["augment_flip"],
                                         on["augment_crop"] < 1, on["augment_rotate"],
                                         on["augment_jitter"]))
