"""Command line: `cnnreport build|chapter|books|studies ...` (nox sessions call these).

    cnnreport build [STUDY] [--profile quick] [-p key=value ...] [-j N]   one study (default mnist-svhn)
    cnnreport build --all [--profile quick]                         every study, plus report/index.html
    cnnreport chapter STUDY q2 [q3 ...] [--profile P] [-p key=value ...]
    cnnreport books                                                 regenerate _quarto-<study>.yml
    cnnreport studies                                               list the studies
"""

from __future__ import annotations

import argparse
import sys

from .config.typed_yaml import ConfigError


def main(argv: list[str] | None = None) -> int:
    from .studies.registry import DEFAULT_STUDY

    parser = argparse.ArgumentParser(prog="cnnreport", description=__doc__.splitlines()[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    commands = parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser("build", help="build one study's report (or --all)")
    build_parser.add_argument("study", nargs="?", default=DEFAULT_STUDY,
                              help=f"study name (default {DEFAULT_STUDY}); see `cnnreport studies`")
    build_parser.add_argument("--all", action="store_true", help="build every study")
    build_parser.add_argument("--profile", default="full",
                              help="params/<study>/<profile>.yaml or a path")
    build_parser.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                              help="override a params key (train.epochs=2) or chapter parameter")
    build_parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                              help="chapters executed at once (default: one per core)")

    chapter_parser = commands.add_parser("chapter", help="re-execute chapters and re-render")
    chapter_parser.add_argument("study", help="study name")
    chapter_parser.add_argument("chapters", nargs="+", help="instance names (q2-svhn) or prefixes (q2)")
    chapter_parser.add_argument("--profile", default="full")
    chapter_parser.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")
    chapter_parser.add_argument("-j", "--jobs", type=int, default=None, metavar="N",
                                help="chapters executed at once (default: one per core)")

    commands.add_parser("books", help="regenerate every study's Quarto profile from its params")
    commands.add_parser("studies", help="list the studies")

    arguments = parser.parse_args(argv)
    return _run(arguments)


def _run(arguments: argparse.Namespace) -> int:
    from .book.build import BuildError, build, build_all
    from .book.render import RenderError
    from .common.atomic import ArtifactWriteError
    from .common.torch_files import TorchFileError
    from .data.label_maps import LabelMapError
    from .data.registry import DataFileError, DataNotFoundError
    from .execution.executor import RunFailedError
    from .training.runs import RunNotMadeError

    try:
        if arguments.command == "books":
            return _write_books()
        if arguments.command == "studies":
            return _list_studies()
        if arguments.command == "build" and arguments.all:
            build_all(arguments.profile, arguments.param, arguments.jobs)
        else:
            only = arguments.chapters if arguments.command == "chapter" else None
            build(arguments.study, arguments.profile, only=only, override_texts=arguments.param,
                  jobs=arguments.jobs)
    except ConfigError as error:
        print(f"error: invalid parameters: {error}", file=sys.stderr)
        return 2
    except (BuildError, DataNotFoundError, DataFileError, RenderError, RunNotMadeError,
            LabelMapError, RunFailedError, ArtifactWriteError, TorchFileError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def _write_books() -> int:
    from .book.quarto import write_profile
    from .common.paths import project_root
    from .studies.registry import load_study_params, study_names

    root = project_root()
    for study in study_names():
        path = write_profile(root, load_study_params(study, "full", root=root))
        print(f"wrote {path.name}")
    return 0


def _list_studies() -> int:
    from .studies.registry import get_study, study_names

    for name in study_names():
        study = get_study(name)
        print(f"{name:<18} assignment {study.assignment}  {study.summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
