"""Entry points. Every session installs the project with uv into its own reused environment.

uv (not pip) resolves torch and torchvision from the registry as a matching pair; uv's cache
hard-links the large wheels, so several environments cost little disk.

    nox -s build_report [-- <study>] [-- --profile quick]   one study (default mnist-svhn), report/<study>/
    nox -s build_report -- --all [--profile quick]          every study, and report/index.html
    nox -s chapter -- <study> q2 [-p key=value]             re-execute chapters, re-render
    nox -s books                                            regenerate _quarto-<study>.yml from params
    nox -s tests                                            pytest
    nox -s faults [-- --only CLASS]                         the fault campaign and its table
"""

import nox

nox.options.default_venv_backend = "uv"
nox.options.reuse_venv = "yes"
nox.options.sessions = ["tests"]


def _install(session: nox.Session, extras: str = "") -> None:
    session.install("-e", f".{extras}")


@nox.session
def build_report(session: nox.Session) -> None:
    """Train, evaluate and render a study's report: `-- mnist-merged --profile quick`, `-- --all`."""
    _install(session)
    session.run("python", "-m", "cnnreport", "build", *session.posargs)


@nox.session
def chapter(session: nox.Session) -> None:
    """Re-execute chapters with overridden parameters: `nox -s chapter -- mnist-svhn q1 -p key=value`."""
    if len(session.posargs) < 2:
        session.error("name a study and a chapter: nox -s chapter -- mnist-svhn q1 [-p key=value ...]")
    _install(session)
    session.run("python", "-m", "cnnreport", "chapter", *session.posargs)


@nox.session
def books(session: nox.Session) -> None:
    """Regenerate every study's Quarto profile (_quarto-<study>.yml) from its params."""
    _install(session)
    session.run("python", "-m", "cnnreport", "books")


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite (needs CNNREPORT_DATA_ROOT pointing at torchvision-layout MNIST files)."""
    _install(session, "[test]")
    session.run("pytest", *session.posargs)


@nox.session
def faults(session: nox.Session) -> None:
    """Every fault and bad-input case on small real data, and the table of what survived:
    `nox -s faults [-- --only "model files"]` (needs CNNREPORT_DATA_ROOT)."""
    _install(session, "[demo]")
    session.run("python", "-m", "cnnreport.tools.faults", *session.posargs)


@nox.session
def bench(session: nox.Session) -> None:
    """Engine vs plain DataLoader throughput: `nox -s bench [-- --study mnist-merged --images 10000]`;
    `-- --executors` times the run executors, `-- --chapter-kernels` a chapter's fixed cost."""
    _install(session)
    session.run("python", "-m", "cnnreport.tools.bench", *session.posargs)


@nox.session
def demo(session: nox.Session) -> None:
    """Live demo of the built studies' final models: `nox -s demo -- [STUDY ...]` (then open the URL
    it prints); `--gallery` writes the static gallery instead."""
    _install(session, "[demo]")
    session.run("python", "-m", "cnnreport.tools.demo", *session.posargs)


@nox.session
def package(session: nox.Session) -> None:
    """One zip for submission: `nox -s package -- --study mnist-merged --profile full`."""
    _install(session)
    session.run("python", "-m", "cnnreport.tools.package", *session.posargs)
