"""In-class demo: a live local web app over the built studies' final models, or a static gallery.

Needs only the model files, the data root and the repository: each model file records the split
it was trained on, so its exact test split comes back (and other data are refused).

    python -m cnnreport.tools.demo [STUDY ...] [--profile P] [--port 7860] [--host 127.0.0.1]
                                   [--seed N] [--no-open] [--check]
    python -m cnnreport.tools.demo STUDY --gallery [--key K | --model PATH] [--on DATASET] [--n 12]
"""

from __future__ import annotations

import argparse
import sys
import time
import webbrowser
from pathlib import Path

from ..analysis.inference import ModelFileError
from ..config.typed_yaml import ConfigError
from ..data.registry import DataNotFoundError
from ..demo.catalog import catalog, study_models
from ..demo.settings import DemoSettings
from ..studies.registry import DEFAULT_STUDY, load_study_params

DEFAULT_GALLERY_IMAGES = 12


def parse(argv: list[str] | None) -> argparse.Namespace:
    defaults = DemoSettings()
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("studies", nargs="*", metavar="STUDY",
                        help="studies to serve (default: every study; unbuilt ones say how to build)")
    parser.add_argument("--profile", help="whose final models (default: each study's last build)")
    parser.add_argument("--host", default=defaults.host,
                        help=f"address to listen on (default {defaults.host}: this machine only)")
    parser.add_argument("--port", type=int, default=defaults.port, help="first port to try")
    parser.add_argument("--seed", type=int, default=None, help="fix the random test images")
    parser.add_argument("--no-open", action="store_true", help="do not open a browser")
    parser.add_argument("--check", action="store_true",
                        help="start the app, print its address and stop (start-up timing)")
    gallery = parser.add_argument_group("static gallery (for the report and the package)")
    gallery.add_argument("--gallery", action="store_true", help="write an HTML gallery instead")
    gallery.add_argument("--key", help="which final model (default: the study's first)")
    gallery.add_argument("--model", type=Path, help="a model file instead of a final model")
    gallery.add_argument("--on", help="test data of another dataset of the study (cross-dataset)")
    gallery.add_argument("--n", type=int, help=f"random test images (default "
                         f"{DEFAULT_GALLERY_IMAGES}, or the study's demo.images)")
    arguments = parser.parse_args(argv)
    if arguments.n is not None and arguments.n <= 0:
        parser.error("--n must be positive")
    if arguments.gallery and len(arguments.studies) > 1:
        parser.error("--gallery takes one study")
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse(argv)
    try:
        if arguments.gallery:
            return _gallery(arguments)
        return _serve(arguments)
    except (ModelFileError, DataNotFoundError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


def _serve(arguments: argparse.Namespace) -> int:
    started = time.perf_counter()
    studies = catalog(arguments.studies or None, arguments.profile)
    for name, entry in studies.items():
        print(f"{name}: " + (f"{', '.join(entry.models)} ({entry.profile})" if entry.built
                             else f"not built; nox -s build_report -- {name}"), flush=True)
    settings = DemoSettings(host=arguments.host, port=arguments.port, seed=arguments.seed)
    from ..demo.app import build_app, theme
    from ..demo.presenter import Presenter

    app = build_app(Presenter(studies, settings))
    app.launch(server_name=settings.host, server_port=_free_port(settings.host, settings.port),
               max_file_size=settings.max_upload_bytes, prevent_thread_lock=True, quiet=True,
               theme=theme(), footer_links=[], inbrowser=False, ssr_mode=False)
    print(f"demo running at {app.local_url} (started in {time.perf_counter() - started:.1f} s); "
          f"Ctrl+C stops it", flush=True)
    if arguments.check:
        app.close()
        return 0
    if not arguments.no_open:
        webbrowser.open(app.local_url)
    try:
        app.block_thread()
    except KeyboardInterrupt:
        app.close()
    return 0


def _free_port(host: str, first: int, tries: int = 50) -> int:
    import socket

    for port in range(first, first + tries):
        with socket.socket() as probe:
            if probe.connect_ex((host, port)) != 0:
                return port
    raise ConfigError(f"--port: no free port in {first}-{first + tries - 1} on {host}")


def _gallery(arguments: argparse.Namespace) -> int:
    from ..demo.gallery import write_gallery
    from ..demo.served_model import ServedModel

    study = arguments.studies[0] if arguments.studies else DEFAULT_STUDY
    entry = study_models(study, arguments.profile)
    params = load_study_params(study, entry.profile)
    if arguments.model is not None:
        key, path = arguments.model.stem, arguments.model
    else:
        if not entry.built:
            raise ModelFileError(f"{entry.not_built_message()} Or pass --model PATH.")
        if arguments.key is not None and arguments.key not in entry.models:
            raise ModelFileError(f"no final model {arguments.key!r} in {study}; choose one of: "
                                 f"{', '.join(entry.models)}")
        key = arguments.key or next(iter(entry.models))
        path = entry.models[key]
    served = ServedModel.open(study, key, path, params)
    if arguments.on is not None and arguments.on not in served.datasets:
        raise ConfigError(f"--on {arguments.on!r}: choose one of the study's datasets: "
                          f"{', '.join(served.datasets)}")
    count = arguments.n or getattr(getattr(params, "demo", None), "images", DEFAULT_GALLERY_IMAGES)
    target = write_gallery(served, arguments.on or served.dataset, count, arguments.seed)
    if not arguments.no_open:
        webbrowser.open(target.as_uri())
    return 0


if __name__ == "__main__":
    sys.exit(main())
