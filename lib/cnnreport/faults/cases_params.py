"""Bad parameters, through the command line a user types: each error class must stop the build with
exit code 2 before anything runs, naming the key and the valid choices."""

from __future__ import annotations

import contextlib
import io

from .campaign import Bench, Outcome, clear_error, fault_case, snapshot

PARAMS = "bad parameters"
STUDY = ["mnist-merged", "--profile", "quick"]


def _refused(bench: Bench, argv: list[str], must_name: list[str]) -> Outcome:
    from ..cli import main

    before = snapshot(bench.artifacts)
    errors = io.StringIO()
    with contextlib.redirect_stderr(errors), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    after = snapshot(bench.artifacts)
    ok, detail = clear_error(errors.getvalue(), must_name)
    made = [name for name in after if name.startswith(("runs/", "models/"))]
    return Outcome(ok and code == 2 and not made, len(set(before) - set(after)),
                   f"exit {code}: {detail}")


@fault_case(PARAMS)
def unknown_key(bench: Bench) -> Outcome:
    """A misspelt key: refused, with the closest key and every valid one."""
    return _refused(bench, ["build", *STUDY, "-p", "train.epochz=3"],
                    ["train.'epochz'", "did you mean train.'epochs'", "Valid keys: epochs"])


@fault_case(PARAMS)
def wrong_type(bench: Bench) -> Outcome:
    """A word where a number belongs."""
    return _refused(bench, ["build", *STUDY, "-p", "train.epochs=abc"],
                    ["train.epochs must be an integer, got 'abc'"])


@fault_case(PARAMS)
def value_out_of_range(bench: Bench) -> Outcome:
    """Zero epochs."""
    return _refused(bench, ["build", *STUDY, "-p", "train.epochs=0"],
                    ["train.epochs must be positive, got 0"])


@fault_case(PARAMS)
def fractions_not_summing_to_one(bench: Bench) -> Outcome:
    """Split fractions 0.8 + 0.1 + 0.2."""
    return _refused(bench, ["build", *STUDY, "-p", "data.split.train=0.8"],
                    ["data.split fractions must sum to 1", "= 1.1"])


@fault_case(PARAMS)
def unknown_study(bench: Bench) -> Outcome:
    """A study that does not exist."""
    return _refused(bench, ["build", "mnist-svhm"],
                    ["unknown study 'mnist-svhm'", "choose one of:", "mnist-svhn"])


@fault_case(PARAMS)
def unknown_chapter(bench: Bench) -> Outcome:
    """A chapter that the study does not have."""
    return _refused(bench, ["chapter", "mnist-merged", "q9", "--profile", "quick"],
                    ["unknown chapter 'q9'", "choose one of:", "data"])


@fault_case(PARAMS)
def unknown_dataset(bench: Bench) -> Outcome:
    """A dataset the registry does not have."""
    return _refused(bench, ["build", *STUDY, "-p", "data.datasets=[mnist,imagenet]"],
                    ["data.datasets[1] = 'imagenet' is not allowed", "choose one of:", "mnist"])


@fault_case(PARAMS)
def unknown_model(bench: Bench) -> Outcome:
    """An architecture the model registry does not have."""
    return _refused(bench, ["build", *STUDY, "-p", "model.architecture=vgg"],
                    ["model.architecture = 'vgg' is not allowed", "choose one of:"])


@fault_case(PARAMS)
def unknown_profile(bench: Bench) -> Outcome:
    """A profile with no params file."""
    return _refused(bench, ["build", "mnist-merged", "--profile", "quik"], ["quik", "quick"])
