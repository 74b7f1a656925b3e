"""Command line: `cnnreport build|chapter ...` (nox sessions call these)."""

from __future__ import annotations

import argparse
import sys

from .config import ConfigError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="cnnreport", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    build_parser = commands.add_parser("build", help="execute every chapter and render the report")
    build_parser.add_argument("--profile", default="full", help="params/<profile>.yaml or a path")
    build_parser.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                              help="override a params key (train.epochs=2) or chapter parameter")

    chapter_parser = commands.add_parser("chapter", help="re-execute chapters and re-render")
    chapter_parser.add_argument("chapters", nargs="+", help="instance names (q2-svhn) or questions (q2)")
    chapter_parser.add_argument("--profile", default="full")
    chapter_parser.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")

    arguments = parser.parse_args(argv)
    return _run(arguments)


def _run(arguments: argparse.Namespace) -> int:
    from .build import BuildError, build
    from .data import DataNotFoundError
    from .render import RenderError

    try:
        only = arguments.chapters if arguments.command == "chapter" else None
        build(arguments.profile, only=only, override_texts=arguments.param)
    except ConfigError as error:
        print(f"error: invalid parameters: {error}", file=sys.stderr)
        return 2
    except (BuildError, DataNotFoundError, RenderError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
