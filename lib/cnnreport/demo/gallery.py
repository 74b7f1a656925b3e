"""The static gallery: random test images with a saved model's predictions, as one HTML file.

For the report and the submission package, where no live app runs: the page holds the prediction
grid and the softmax maps as embedded PNGs.
"""

from __future__ import annotations

import base64
import html
import time
from pathlib import Path

from ..analysis.evaluation import evaluate, random_positions
from ..book import figures
from ..book.chapter import figure_png
from ..common import atomic
from ..common.paths import study_dir
from ..data.registry import display_name
from .served_model import ServedModel


def write_gallery(served: ServedModel, dataset: str, count: int, seed: int | None) -> Path:
    """Write the gallery HTML for `count` random test images of `dataset`; return its path."""
    started = time.perf_counter()
    test = served.test_set(dataset)
    positions = random_positions(count, len(test), seed)
    evaluation = evaluate(served.loaded, test.take(positions), f"{display_name(served.dataset)} model",
                          f"{test.display_name} test")
    title = f"{evaluation.model_name} on {evaluation.data_name}: {len(positions)} random images"
    figure_list = [figures.prediction_gallery(evaluation.images, evaluation.labels,
                                              evaluation.probabilities, served.class_names, title),
                   figures.probability_maps(evaluation.images, evaluation.labels,
                                            evaluation.probabilities, served.class_names,
                                            "softmax scores")]
    right = int((evaluation.predictions == evaluation.labels).sum())
    target = study_dir(served.params.study_name, served.params.profile) / "demo" / \
        f"{served.path.stem}-on-{dataset}.html"
    atomic.write_text(target, _page(title, served.path, right, len(positions), figure_list))
    print(f"{right}/{len(positions)} correct; gallery written to {target} in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    return target


def _page(title: str, model_path: Path, right: int, total: int, figure_list) -> str:
    images = "\n".join(f'<img src="data:image/png;base64,{base64.b64encode(figure_png(f)).decode()}">'
                       for f in figure_list)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>body{{font-family:sans-serif;max-width:70em;margin:auto}}"
            f"img{{max-width:100%}}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p>Model <code>{html.escape(model_path.name)}</code>: {right} of {total} correct "
            f"(green: right, red: wrong).</p>{images}</body></html>\n")
