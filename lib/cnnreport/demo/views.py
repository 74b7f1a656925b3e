"""What the demo shows for a prediction: enlarged pictures, the verdict line, the probability table.

Plain values (numpy pictures, markdown text, label -> probability dicts), so they are tested without
a browser and the web app only places them on the page. Probabilities are written with four
decimals; the browser test reads them back and compares them with the model's own.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

PROBABILITY_DECIMALS = 4
HEAT_MAP_OPACITY = 0.45  # share of the Grad-CAM colour laid over the picture


@dataclass(frozen=True)
class Prediction:
    probabilities: np.ndarray  # [classes] softmax
    class_names: tuple[str, ...]
    true_name: str | None  # None: a drawing or an upload has no known class

    @property
    def predicted(self) -> int:
        return int(np.argmax(self.probabilities))

    @property
    def predicted_name(self) -> str:
        return self.class_names[self.predicted]

    @property
    def correct(self) -> bool | None:
        return None if self.true_name is None else self.predicted_name == self.true_name

    def verdict(self, source: str) -> str:
        """One markdown line: where the image comes from, true and predicted class."""
        confidence = f"{self.probabilities[self.predicted]:.{PROBABILITY_DECIMALS}f}"
        line = f"{source} · predicted **{self.predicted_name}** (p = {confidence})"
        if self.true_name is None:
            return line
        mark = "right" if self.correct else "wrong"
        return f"{line} · true **{self.true_name}** · {mark}"

    def bars(self) -> dict[str, float]:
        """Class name -> probability, the input of the bar chart."""
        return {name: float(p) for name, p in zip(self.class_names, self.probabilities)}

    def table(self) -> str:
        rows = "\n".join(f"| {name} | {p:.{PROBABILITY_DECIMALS}f} |"
                         for name, p in zip(self.class_names, self.probabilities))
        return f"| class | probability |\n|---|---:|\n{rows}\n"


def enlarged(image: torch.Tensor, side: int) -> np.ndarray:
    """uint8 [C, H, W] -> [side', side', 3] with whole-pixel blocks, so 28 pixels stay visible."""
    factor = max(1, side // int(image.shape[-1]))
    array = image.cpu().numpy()
    array = np.repeat(array, 3, axis=0) if array.shape[0] == 1 else array
    return np.ascontiguousarray(array.transpose(1, 2, 0).repeat(factor, 0).repeat(factor, 1))


def heat_overlay(image: torch.Tensor, heat: np.ndarray, side: int) -> np.ndarray:
    """The enlarged picture with a Grad-CAM map in the jet colours laid over it."""
    from matplotlib import colormaps

    picture = enlarged(image, side).astype(np.float32)
    factor = picture.shape[0] // heat.shape[0]
    colours = colormaps["jet"](heat.repeat(factor, 0).repeat(factor, 1))[..., :3] * 255.0
    blended = (1 - HEAT_MAP_OPACITY) * picture + HEAT_MAP_OPACITY * colours
    return blended.round().clip(0, 255).astype(np.uint8)


def caption(prediction: Prediction) -> str:
    """Short caption under a grid image: true -> predicted, marked right or wrong."""
    mark = "✓" if prediction.correct else "✗"
    return f"{mark} {prediction.true_name} → {prediction.predicted_name}"


def merged_classes_table(label_map: dict) -> str:
    rows = "\n".join(f"| {merged} | {', '.join(str(s) for s in sources)} |"
                     for merged, sources in label_map.items())
    return f"| class the model predicts | source classes merged into it |\n|---|---|\n{rows}\n"
