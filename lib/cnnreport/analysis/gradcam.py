"""Where a network looked: Grad-CAM heat maps from captum's `LayerGradCam`.

Grad-CAM weighs the last convolution's feature maps by the gradient of a class score with respect to
them (averaged over each map), sums them and keeps the positive part; upsampled to the image, the map
shows which regions raised that class's score. The last convolution is found in the model itself, so
any registered CNN works without naming its layers.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..data.image_set import to_model_input


def last_convolution(model: nn.Module) -> nn.Conv2d:
    convolutions = [module for module in model.modules() if isinstance(module, nn.Conv2d)]
    if not convolutions:
        raise ValueError(f"{type(model).__name__} has no convolution; Grad-CAM needs one")
    return convolutions[-1]


def gradcam_maps(model: nn.Module, images: torch.Tensor, targets: torch.Tensor | np.ndarray,
                 batch_size: int = 64) -> np.ndarray:
    """Heat maps [N, H, W] in [0, 1] (each scaled by its own maximum) of the class scores `targets`
    for uint8 images [N, C, H, W], at the images' resolution."""
    from captum.attr import LayerAttribution, LayerGradCam

    device = next(model.parameters()).device
    model.eval()
    explainer = LayerGradCam(model, last_convolution(model))
    targets = torch.as_tensor(np.asarray(targets), dtype=torch.long)
    maps = []
    for start in range(0, len(images), batch_size):
        batch = to_model_input(images[start:start + batch_size].to(device), model.input_shape[0])
        attribution = explainer.attribute(batch, target=targets[start:start + batch_size].to(device),
                                          relu_attributions=True)
        upsampled = LayerAttribution.interpolate(attribution, tuple(images.shape[-2:]),
                                                 interpolate_mode="bilinear")
        maps.append(upsampled[:, 0].detach().float().cpu())
    if not maps:
        return np.zeros((0, *images.shape[-2:]), dtype=np.float32)
    heat = torch.cat(maps).clamp(min=0)
    peak = heat.flatten(1).amax(dim=1).clamp(min=1e-12)[:, None, None]
    return (heat / peak).numpy()


def centre_share(maps: np.ndarray, border: float = 0.25) -> np.ndarray:
    """Share of each heat map's mass inside the central window (a `border` fraction of the side cut
    from every edge): low values mean the network looked at the edges and background."""
    height, width = maps.shape[-2:]
    top, left = int(round(border * height)), int(round(border * width))
    inside = maps[:, top:height - top, left:width - left].sum(axis=(1, 2))
    return inside / np.maximum(maps.sum(axis=(1, 2)), 1e-12)
