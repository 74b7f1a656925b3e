"""Rendering the executed chapter notebooks into the report.

`_quarto.yml` is the one list of chapters. With `quarto` on PATH the book is rendered by Quarto
(execution disabled: the notebooks are already executed). Without it, the same chapters in the same
order go through pandoc (from `pypandoc-binary`) to one self-contained `index.html`, and through
pandoc's Typst writer and the `typst` package to `cnn-report.pdf`. Rendering happens in a staging
folder that replaces `report/` only when everything succeeded, so a failure never leaves a broken or
half-updated report behind.
"""

from __future__ import annotations

import base64
import contextlib
import shutil
import subprocess
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator

import nbformat
import yaml

REPORT_DIR = "report"
PDF_NAME = "cnn-report.pdf"
IMAGE_WIDTH_INCHES_PER_PIXEL = 1 / 96


class RenderError(RuntimeError):
    """The renderer failed; the message carries its own error output."""


def book_config(root: Path) -> dict:
    path = root / "_quarto.yml"
    if not path.is_file():
        raise RenderError(f"{path} not found: it lists the report's chapters")
    return yaml.safe_load(path.read_text())


def book_chapters(root: Path) -> list[str]:
    """Chapter files of the book in order, flattening Quarto's `part:` groups."""
    def flatten(entries: list) -> list[str]:
        files = []
        for entry in entries:
            if isinstance(entry, str):
                files.append(entry)
            elif isinstance(entry, dict):  # a part: an optional page, then its chapters
                part = str(entry.get("part", ""))
                if part.endswith((".qmd", ".md")):
                    files.append(part)
                files += flatten(entry.get("chapters", []))
        return files

    return flatten(book_config(root).get("book", {}).get("chapters", []))


def render_report(root: Path, subtitle: str = "") -> Path:
    """Render the book into `root/report/`, via a staging folder swapped in on success."""
    with _staging_folder(root) as staging:
        if shutil.which("quarto"):
            _render_with_quarto(root, staging)
        else:
            print("Quarto not found on PATH: rendering with pandoc (HTML) and typst (PDF) instead.",
                  flush=True)
            _render_with_pandoc(root, staging, subtitle)
    return root / REPORT_DIR


@contextlib.contextmanager
def _staging_folder(root: Path) -> Iterator[Path]:
    staging = root / f".{REPORT_DIR}.staging"
    previous = root / f".{REPORT_DIR}.previous"
    for folder in (staging, previous):
        shutil.rmtree(folder, ignore_errors=True)
    staging.mkdir()
    try:
        yield staging
        report = root / REPORT_DIR
        if report.exists():
            report.rename(previous)
        staging.rename(report)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _render_with_quarto(root: Path, staging: Path) -> None:
    command = ["quarto", "render", "--output-dir", str(staging)]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise RenderError(f"quarto render failed (exit {result.returncode}):\n{result.stderr[-4000:]}")


# ---------------------------------------------------------------------------------------------
# Fallback: pandoc + typst


def _render_with_pandoc(root: Path, staging: Path, subtitle: str) -> None:
    import pypandoc
    import typst

    book = book_config(root).get("book", {})
    work = staging / ".work"
    media = work / "media"
    media.mkdir(parents=True)
    chapters = [chapter_markdown(root / chapter, media) for chapter in book_chapters(root)]
    source = work / "report.md"
    source.write_text("\n\n".join(chapters) + "\n")
    metadata = [f"--metadata=title:{book.get('title', 'Report')}",
                f"--metadata=subtitle:{subtitle or book.get('subtitle', '')}",
                f"--metadata=date:{datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}"]
    assets = resources.files("cnnreport") / "assets"
    pypandoc.convert_file(
        str(source), "html5", format="markdown", outputfile=str(staging / "index.html"),
        extra_args=["--standalone", "--embed-resources", "--toc", "--toc-depth=2", "--wrap=none",
                    f"--resource-path={work}", f"--css={assets / 'report.css'}", *metadata])
    typst_source = work / "report.typ"
    pypandoc.convert_file(
        str(source), "typst", format="markdown", outputfile=str(typst_source),
        extra_args=["--standalone", "--toc", f"--include-in-header={assets / 'report-header.typ'}",
                    *metadata])
    try:
        typst.compile(str(typst_source), output=str(staging / PDF_NAME), root=str(work))
    except Exception as error:  # typst raises its own error types with the compiler diagnostics
        raise RenderError(f"typst could not compile the PDF: {error}") from error
    shutil.rmtree(work)


def chapter_markdown(path: Path, media: Path) -> str:
    """One chapter as pandoc Markdown: Markdown files as they are, notebooks as their outputs."""
    if not path.is_file():
        raise RenderError(f"chapter {path} listed in _quarto.yml does not exist; run the build "
                          f"(nox -s build_report) to execute the chapter notebooks")
    if path.suffix != ".ipynb":
        return path.read_text()
    notebook = nbformat.read(path, as_version=4)
    blocks = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            blocks.append(cell.source)
        elif cell.cell_type == "code":  # code is not shown (Quarto: echo: false), its outputs are
            blocks += [_output_markdown(output, media, f"{path.stem}-{index}-{number}")
                       for number, output in enumerate(cell.get("outputs", []))]
    return "\n\n".join(block for block in blocks if block)


def _output_markdown(output: dict, media: Path, stem: str) -> str:
    kind = output.get("output_type")
    if kind == "stream":
        return "" if output.get("name") == "stderr" else _code_block(output.get("text", ""))
    if kind == "error":
        return _code_block(f"{output.get('ename')}: {output.get('evalue')}")
    data = output.get("data", {})
    if "image/png" in data:
        image_path = media / f"{stem}.png"
        image_path.write_bytes(base64.b64decode(data["image/png"]))
        width = output.get("metadata", {}).get("image/png", {}).get("width")
        size = f"{{width={width * IMAGE_WIDTH_INCHES_PER_PIXEL:.2f}in}}" if width else ""
        return f"![]({image_path.relative_to(media.parent)}){size}"
    if "text/markdown" in data:
        return _text(data["text/markdown"])
    if "text/plain" in data:
        return _code_block(_text(data["text/plain"]))
    return ""


def _text(value: str | list[str]) -> str:
    return "".join(value) if isinstance(value, list) else value


def _code_block(text: str) -> str:
    text = _text(text).rstrip()
    return f"```\n{text}\n```" if text else ""
