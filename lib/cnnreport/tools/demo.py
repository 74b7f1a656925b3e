"""In-class demo: a saved model classifies random test images, shown as a gallery in the browser.

Needs only a model file and the data root: the model file records the split it was trained on, so
the demo rebuilds exactly that test split (and refuses if the data differ).

    python -m cnnreport.tools.demo [--study mnist-svhn] [--key svhn] [--n 12] [--on mnist]
                                   [--model PATH] [--seed 7]
"""

from __future__ import annotations

import argparse
import base64
import html
import sys
import time
import webbrowser
from pathlib import Path

from ..analysis.evaluation import evaluate, random_positions
from ..analysis.inference import ModelFileError, load_model, params_for_model
from ..book import figures
from ..book.chapter import figure_png
from ..common import atomic
from ..common.paths import study_dir
from ..config.typed_yaml import ConfigError
from ..data.registry import DataNotFoundError, display_name
from ..data.splits import load_splits
from ..studies.registry import DEFAULT_STUDY, load_study_params
from ..training.runs import final_models, final_models_path


def final_model(study: str, profile: str, key: str | None) -> Path:
    """The final model recorded under `key` (default: the first) by the study's last build."""
    finals = final_models(study, profile)
    if not finals:
        raise ModelFileError(f"no final models recorded in {final_models_path(study, profile)}; "
                             f"build the report first (nox -s build_report -- {study} --profile "
                             f"{profile}) or pass --model PATH")
    if key is not None and key not in finals:
        raise ModelFileError(f"no final model {key!r} in {study}; choose one of: "
                             f"{', '.join(finals)}")
    return finals[key or next(iter(finals))]


def gallery(model_path: Path, params, on: str | None, count: int, seed: int | None) -> Path:
    """Write the gallery HTML for `count` random test images; return its path."""
    started = time.perf_counter()
    loaded = load_model(model_path)
    data_dataset = on or loaded.dataset
    params = params_for_model(loaded.info, params)
    own_data = data_dataset == loaded.dataset
    splits = load_splits(params, data_dataset, loaded.info["split"]["label_map"] if own_data else None)
    if own_data and splits.fingerprint != loaded.info["split"]["fingerprint"]:
        raise ModelFileError(f"the {data_dataset} data under {params.data_root()} give split "
                             f"{splits.fingerprint}, but {model_path.name} was trained on split "
                             f"{loaded.info['split']['fingerprint']}: not the same data")
    test = splits.test
    positions = random_positions(count, len(test), seed)
    evaluation = evaluate(loaded, test.take(positions), f"{display_name(loaded.dataset)} model",
                          f"{test.display_name} test")
    title = f"{evaluation.model_name} on {evaluation.data_name}: {len(positions)} random images"
    figure_list = [figures.prediction_gallery(evaluation.images, evaluation.labels,
                                              evaluation.probabilities, loaded.class_names, title),
                   figures.probability_maps(evaluation.images, evaluation.labels,
                                            evaluation.probabilities, loaded.class_names,
                                            "softmax scores")]
    right = int((evaluation.predictions == evaluation.labels).sum())
    target = study_dir(params.study_name, params.profile) / "demo" / \
        f"{model_path.stem}-on-{data_dataset}.html"
    atomic.write_text(target, _page(title, model_path, right, len(positions), figure_list))
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--study", default=DEFAULT_STUDY, help="whose final models to use")
    parser.add_argument("--key", help="which final model (a dataset or experiment of the study; "
                        "default: the first)")
    parser.add_argument("--model", type=Path, help="a model file instead of a final model")
    parser.add_argument("--on", help="test data of another dataset of the study (cross-dataset)")
    parser.add_argument("--n", type=int, help="number of random test images (default: 12)")
    parser.add_argument("--seed", type=int, default=None, help="fix the random images")
    parser.add_argument("--profile", default="full", help="params profile for the data settings")
    parser.add_argument("--no-open", action="store_true", help="do not open a browser")
    arguments = parser.parse_args(argv)
    if arguments.n is not None and arguments.n <= 0:
        parser.error("--n must be positive")
    try:
        params = load_study_params(arguments.study, arguments.profile)
        if arguments.on is not None and arguments.on not in params.data.datasets:
            raise ConfigError(f"--on {arguments.on!r}: choose one of the study's datasets: "
                              f"{', '.join(params.data.datasets)}")
        model_path = arguments.model or final_model(arguments.study, params.profile, arguments.key)
        count = arguments.n or getattr(getattr(params, "demo", None), "images", 12)
        target = gallery(model_path, params, arguments.on, count, arguments.seed)
    except (ModelFileError, DataNotFoundError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    if not arguments.no_open:
        webbrowser.open(target.as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
