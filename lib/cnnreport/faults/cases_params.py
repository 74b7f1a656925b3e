"""Bad parameters, through the command line a user types: each error class must stop the build with
exit code 2 before anything runs, naming the key and the valid choices."""

from __future__ import annotations

import contextlib
import functools
import io

from .kit import Bench, Outcome, add_case, clear_error, snapshot

PARAMS = "bad parameters"
STUDY = ["mnist-merged", "--profile", "quick"]

CASES = (  # name, what it provokes, the command line, what its error must name
    ("unknown_key", "A misspelt key: refused, with the closest key and every valid one.",
     ["build", *STUDY, "-p", "train.epochz=3"],
     ["train.'epochz'", "did you mean train.'epochs'", "Valid keys: epochs"]),
    ("wrong_type", "A word where a number belongs.",
     ["build", *STUDY, "-p", "train.epochs=abc"], ["train.epochs must be an integer, got 'abc'"]),
    ("value_out_of_range", "Zero epochs.",
     ["build", *STUDY, "-p", "train.epochs=0"], ["train.epochs must be positive, got 0"]),
    ("fractions_not_summing_to_one", "Split fractions 0.8 + 0.1 + 0.2.",
     ["build", *STUDY, "-p", "data.split.train=0.8"],
     ["data.split fractions must sum to 1", "= 1.1"]),
    ("unknown_study", "A study that does not exist.",
     ["build", "mnist-svhm"], ["unknown study 'mnist-svhm'", "choose one of:", "mnist-svhn"]),
    ("unknown_chapter", "A chapter that the study does not have.",
     ["chapter", "mnist-merged", "q9", "--profile", "quick"],
     ["unknown chapter 'q9'", "choose one of:", "data"]),
    ("unknown_dataset", "A dataset the registry does not have.",
     ["build", *STUDY, "-p", "data.datasets=[mnist,imagenet]"],
     ["data.datasets[1] = 'imagenet' is not allowed", "choose one of:", "mnist"]),
    ("unknown_model", "An architecture the model registry does not have.",
     ["build", *STUDY, "-p", "model.architecture=vgg"],
     ["model.architecture = 'vgg' is not allowed", "choose one of:"]),
    ("unknown_profile", "A profile with no params file.",
     ["build", "mnist-merged", "--profile", "quik"], ["quik", "quick"]),
)


def refused(bench: Bench, argv: list[str], must_name: list[str]) -> Outcome:
    """Exit code 2, a message naming `must_name`, and no run or model written."""
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


for name, doc, argv, must_name in CASES:
    add_case(PARAMS, name, functools.partial(refused, argv=argv, must_name=must_name), doc)
