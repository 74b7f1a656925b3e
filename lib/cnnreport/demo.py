"""In-class demo: a saved model classifies random test images, shown as a gallery in the browser.

Needs only a model file and the data root: the model file records the split it was trained on, so
the demo rebuilds exactly that test split (and refuses if the data differ).

    python -m cnnreport.demo --dataset svhn --n 12 [--on mnist] [--model PATH] [--seed 7]
"""

from __future__ import annotations

import argparse
import base64
import html
import sys
import time
import webbrowser
from pathlib import Path

from . import atomic, plots
from .analysis import evaluate, random_positions
from .build import profile_path
from .chapter import figure_png
from .config import DATASETS, ConfigError, load_params
from .data import DISPLAY_NAMES, DataNotFoundError
from .inference import ModelFileError, final_model_path, load_model, params_for_model
from .paths import artifacts_dir, project_root
from .splits import load_splits


def gallery(model_path: Path, on: str | None, count: int, seed: int | None, profile: str) -> Path:
    """Write the gallery HTML for `count` random test images; return its path."""
    started = time.perf_counter()
    loaded = load_model(model_path)
    data_dataset = on or loaded.dataset
    params = params_for_model(loaded.info, profile_path(profile, project_root()))
    splits = load_splits(params, data_dataset)
    if data_dataset == loaded.dataset and splits.fingerprint != loaded.info["split"]["fingerprint"]:
        raise ModelFileError(f"the {data_dataset} data under {params.data_root()} give split "
                             f"{splits.fingerprint}, but {model_path.name} was trained on split "
                             f"{loaded.info['split']['fingerprint']}: not the same data")
    test = splits.test
    positions = random_positions(count, len(test), seed)
    evaluation = evaluate(loaded, test.take(positions), f"{DISPLAY_NAMES[loaded.dataset]} model",
                          f"{test.display_name} test")
    title = f"{evaluation.model_name} on {evaluation.data_name}: {len(positions)} random images"
    figures = [plots.prediction_gallery(evaluation.images, evaluation.labels,
                                        evaluation.probabilities, title),
               plots.probability_maps(evaluation.images, evaluation.labels,
                                      evaluation.probabilities, "softmax scores")]
    right = int((evaluation.predictions == evaluation.labels).sum())
    target = artifacts_dir() / "demo" / f"{loaded.dataset}-on-{data_dataset}.html"
    atomic.write_text(target, _page(title, model_path, right, len(positions), figures))
    print(f"{right}/{len(positions)} correct; gallery written to {target} in "
          f"{time.perf_counter() - started:.1f} s", flush=True)
    return target


def _page(title: str, model_path: Path, right: int, total: int, figures) -> str:
    images = "\n".join(f'<img src="data:image/png;base64,{base64.b64encode(figure_png(f)).decode()}">'
                       for f in figures)
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>body{{font-family:sans-serif;max-width:70em;margin:auto}}"
            f"img{{max-width:100%}}</style></head><body><h1>{html.escape(title)}</h1>"
            f"<p>Model <code>{html.escape(model_path.name)}</code>: {right} of {total} correct "
            f"(green: right, red: wrong).</p>{images}</body></html>\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=DATASETS, default="mnist",
                        help="whose final model to load (ignored with --model)")
    parser.add_argument("--model", type=Path, help="a model file instead of the dataset's final model")
    parser.add_argument("--on", choices=DATASETS, help="test data of another dataset (cross-dataset)")
    parser.add_argument("--n", type=int, help="number of random test images (default: params "
                        "demo.images)")
    parser.add_argument("--seed", type=int, default=None, help="fix the random images")
    parser.add_argument("--profile", default="full", help="params profile for the data settings")
    parser.add_argument("--no-open", action="store_true", help="do not open a browser")
    arguments = parser.parse_args(argv)
    if arguments.n is not None and arguments.n <= 0:
        parser.error("--n must be positive")
    try:
        count = arguments.n or load_params(profile_path(arguments.profile, project_root())).demo.images
        model_path = arguments.model or final_model_path(arguments.dataset)
        target = gallery(model_path, arguments.on, count, arguments.seed, arguments.profile)
    except (ModelFileError, DataNotFoundError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not arguments.no_open:
        webbrowser.open(target.as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
