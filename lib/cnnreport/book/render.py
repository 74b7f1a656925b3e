"""Rendering a study's executed chapters into `report/<study>/` (HTML and PDF).

The chapters are the ones the study's Quarto profile lists (`_quarto.yml` + `_quarto-<study>.yml`).
With `quarto` on PATH, Quarto renders the book in a temporary copy of the project (so nothing but
`report/` and `artifacts/` is ever written in the checkout): HTML first, then the PDF through typst
(Quarto >= 1.9 renders typst books, no TeX needed). If Quarto's PDF fails, its HTML is kept and the
PDF comes from the fallback below, with a one-line notice. Without Quarto, pandoc (from
`pypandoc-binary`) writes one self-contained `index.html` and pandoc's Typst writer with the `typst`
package writes `<study>.pdf`. Rendering happens in a staging folder that replaces `report/<study>/`
only when everything succeeded, so a failure never leaves a broken or half-updated report.
"""

from __future__ import annotations

import base64
import contextlib
import re
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from importlib import resources
from pathlib import Path
from typing import Iterator

import nbformat

from ..common.paths import report_dir
from .quarto import BASE_FILE, book_chapters, merged_book, profile_file

IMAGE_WIDTH_INCHES_PER_PIXEL = 1 / 96


class RenderError(RuntimeError):
    """The renderer failed; the message carries its own error output."""


def pdf_name(study: str) -> str:
    return f"{study}.pdf"


def render_report(root: Path, study: str, subtitle: str = "") -> Path:
    """Render the study's book into `report/<study>/`, via a staging folder swapped in on success."""
    target = report_dir(study)
    try:
        with _staging_folder(target) as staging:
            if shutil.which("quarto"):
                _render_with_quarto(root, study, staging, subtitle)
            else:
                print("Quarto not found on PATH: rendering with pandoc (HTML) and typst (PDF) "
                      "instead.", flush=True)
                _render_with_pandoc(root, study, staging, subtitle, ("html", "pdf"))
    except (RuntimeError, OSError) as error:  # RenderError, pandoc (RuntimeError), a full disk
        raise RenderError(f"{error} (the previous report in {target} is unchanged)") from error
    return target


@contextlib.contextmanager
def _staging_folder(target: Path) -> Iterator[Path]:
    """Render into a staging folder, then swap it in. A render killed between the two renames left
    the last report as `.previous`: it is put back first, so no kill loses the previous report."""
    staging = target.with_name(f".{target.name}.staging")
    previous = target.with_name(f".{target.name}.previous")
    if previous.is_dir() and not target.exists():
        previous.rename(target)
    for folder in (staging, previous):
        shutil.rmtree(folder, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        yield staging
        if target.exists():
            target.rename(previous)
        staging.rename(target)
        shutil.rmtree(previous, ignore_errors=True)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# ---------------------------------------------------------------------------------------------
# Quarto, in a temporary copy of the project


def _render_with_quarto(root: Path, study: str, staging: Path, subtitle: str) -> None:
    with tempfile.TemporaryDirectory(prefix="cnnreport-quarto-") as temporary:
        project = Path(temporary)
        _copy_book_sources(root, study, project)
        html = _quarto(project, study, "html", "_html")
        if html.returncode != 0:
            raise RenderError(f"quarto render (html) failed (exit {html.returncode}):\n"
                              f"{html.stderr[-4000:]}")
        shutil.copytree(project / "_html", staging, dirs_exist_ok=True)
        pdf = _quarto(project, study, "typst", "_pdf")
        produced = project / "_pdf" / pdf_name(study)
        if pdf.returncode == 0 and produced.is_file():
            shutil.copy2(produced, staging / pdf_name(study))
            return
        last_line = (pdf.stderr.strip().splitlines() or ["no output"])[-1]
        print(f"Quarto's typst PDF failed ({last_line}); keeping Quarto's HTML and writing the "
              f"PDF with pandoc and typst instead.", flush=True)
        _render_with_pandoc(root, study, staging, subtitle, ("pdf",))


def _copy_book_sources(root: Path, study: str, project: Path) -> None:
    for name in (BASE_FILE, profile_file(root, study).name):
        shutil.copy2(root / name, project / name)
    for chapter in book_chapters(merged_book(root, study)):
        source = root / chapter
        if not source.is_file():
            raise RenderError(f"chapter {chapter} listed in {profile_file(root, study).name} does "
                              f"not exist; build the study first (nox -s build_report -- {study})")
        (project / chapter).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, project / chapter)


def _quarto(project: Path, study: str, to: str, output_dir: str) -> subprocess.CompletedProcess:
    command = ["quarto", "render", "--profile", study, "--to", to, "--output-dir", output_dir]
    return subprocess.run(command, cwd=project, capture_output=True, text=True)


# ---------------------------------------------------------------------------------------------
# Without Quarto: pandoc + typst


def _book_markdown(root: Path, study: str, work: Path, subtitle: str) -> tuple[Path, list[str]]:
    """The book as one pandoc Markdown file, with its title-page metadata arguments."""
    config = merged_book(root, study)
    book = config.get("book", {})
    media = work / "media"
    media.mkdir(parents=True, exist_ok=True)
    chapters = [chapter_markdown(root / chapter, media, study) for chapter in book_chapters(config)]
    source = work / "report.md"
    source.write_text("\n\n".join(chapters) + "\n")
    metadata = [f"--metadata=title:{book.get('title', 'Report')}",
                f"--metadata=subtitle:{subtitle or book.get('subtitle', '')}",
                f"--metadata=author:{book.get('author', '')}",
                f"--metadata=date:{datetime.now(timezone.utc):%Y-%m-%d %H:%M UTC}"]
    return source, metadata


def _render_with_pandoc(root: Path, study: str, staging: Path, subtitle: str,
                        formats: tuple[str, ...]) -> None:
    """`index.html` (self-contained) and/or `<study>.pdf` from one Markdown rendition of the book."""
    import pypandoc

    assets = resources.files("cnnreport") / "assets"
    with tempfile.TemporaryDirectory(prefix="cnnreport-pandoc-") as temporary:
        work = Path(temporary)
        source, metadata = _book_markdown(root, study, work, subtitle)
        if "html" in formats:
            pypandoc.convert_file(
                str(source), "html5", format="markdown", outputfile=str(staging / "index.html"),
                extra_args=["--standalone", "--embed-resources", "--mathml", "--toc", "--toc-depth=2",
                            "--wrap=none", f"--resource-path={work}",
                            f"--css={assets / 'report.css'}", *metadata])
        if "pdf" in formats:
            typst_source = work / "report.typ"
            pypandoc.convert_file(
                str(source), "typst", format="markdown", outputfile=str(typst_source),
                extra_args=["--standalone", "--toc",
                            f"--include-in-header={assets / 'report-header.typ'}", *metadata])
            _compile_typst(typst_source, staging / pdf_name(study), work)


def _compile_typst(source: Path, output: Path, root: Path) -> None:
    import typst

    try:
        typst.compile(str(source), output=str(output), root=str(root))
    except Exception as error:  # typst raises its own error types with the compiler diagnostics
        raise RenderError(f"typst could not compile the PDF: {error}") from error


def chapter_markdown(path: Path, media: Path, profile: str) -> str:
    """One chapter as pandoc Markdown: Markdown files with Quarto's profile divs resolved for
    `profile`, notebooks as their outputs."""
    if not path.is_file():
        raise RenderError(f"chapter {path} listed in the book does not exist; run the build "
                          f"(nox -s build_report -- <study>) to execute the chapter notebooks")
    if path.suffix != ".ipynb":
        return resolve_profile_divs(path.read_text(), profile)
    notebook = nbformat.read(path, as_version=4)
    blocks = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type == "markdown":
            blocks.append(cell.source)
        elif cell.cell_type == "code":  # code is not shown (Quarto: echo: false), its outputs are
            blocks += [_output_markdown(output, media, f"{path.stem}-{index}-{number}")
                       for number, output in enumerate(cell.get("outputs", []))]
    return "\n\n".join(block for block in blocks if block)


PROFILE_DIV = re.compile(r'^:::+\s*\{\.content-(visible|hidden)\s+when-profile="([^"]+)"\}\s*$')


def resolve_profile_divs(text: str, profile: str) -> str:
    """What Quarto shows of `.content-visible` / `.content-hidden` `when-profile` divs for
    `profile` (pandoc alone would show them all)."""
    lines, keep, inside = [], True, False
    for line in text.splitlines():
        match = PROFILE_DIV.match(line)
        if match and not inside:
            visible_when_active = match.group(1) == "visible"
            keep = (match.group(2) == profile) == visible_when_active
            inside = True
            continue
        if inside and line.strip().startswith(":::") and line.strip().strip(":") == "":
            inside, keep = False, True
            continue
        if keep:
            lines.append(line)
    return "\n".join(lines) + "\n"


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
