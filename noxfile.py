"""Entry points. Every session installs the project with uv into its own reused environment.

uv (not pip) resolves torch and torchvision from the registry as a matching pair; uv's cache
hard-links the large wheels, so several environments cost little disk.

    nox -s build_report [-- --profile quick]     execute every chapter, render report/
    nox -s chapter -- q2-svhn [-p key=value]      re-execute chapters, re-render
    nox -s tests                                  pytest
"""

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]


def _install(session: nox.Session, extras: str = "") -> None:
    session.install("-e", f".{extras}")


@nox.session
def build_report(session: nox.Session) -> None:
    """Train, evaluate and render the whole report (`-- --profile quick` for a preview)."""
    _install(session)
    session.run("python", "-m", "cnnreport", "build", *session.posargs)


@nox.session
def chapter(session: nox.Session) -> None:
    """Re-execute chapters with overridden parameters: `nox -s chapter -- q1 -p key=value`."""
    if not session.posargs:
        session.error("name a chapter: nox -s chapter -- q1 [-p key=value ...]")
    _install(session)
    session.run("python", "-m", "cnnreport", "chapter", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (needs CNNREPORT_DATA_ROOT pointing at torchvision-layout MNIST files)."""
    _install(session, "[test]")
    session.run("pytest", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Engine vs plain DataLoader throughput: `nox -s bench [-- --images 10000 --profile full]`."""
    _install(session)
    session.run("python", "-m", "cnnreport.bench", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Gallery of a saved model's predictions: `nox -s demo -- --dataset svhn --n 12`."""
    _install(session)
    session.run("python", "-m", "cnnreport.demo", *session.posargs)


@nox.session
def package(session: nox.Session) -> None:
    """One zip for submission (report, executed notebooks, metric files, final models)."""
    _install(session)
    session.run("python", "-m", "cnnreport.package", *session.posargs)
