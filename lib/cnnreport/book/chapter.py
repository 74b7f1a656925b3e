"""What a chapter notebook shows: numbered headings, figures and tables.

Numbers are written into the text itself ("1(d) Sample images", "Figure 1.2: ...") rather than left to
a renderer's cross-referencing, so Quarto and the pandoc fallback print the same numbers. Every
output is a plain Markdown or PNG display, which both renderers understand.
"""

from __future__ import annotations

import io
from datetime import date
from typing import Sequence

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
from IPython.display import Image, Markdown, display  # noqa: E402

FIGURE_DPI = 110
PAGE_WIDTH_INCHES = 6.5  # the PDF's text width; wider figures are scaled down to it
TITLE_METADATA = {"cnnreport": "chapter-title"}  # the build moves this output into a heading cell


class Chapter:
    """Numbering state of one chapter instance, e.g. number "2(e)" for Q2 repeated on SVHN.

    Parts are lettered in brackets ("1(a)") or, with `dotted=True`, numbered like the assignment's
    own sections ("5.1").
    """

    def __init__(self, number: str, title: str, dotted: bool = False, stamp: str = ""):
        self.number = number
        self.stamp = stamp  # written into a corner of every figure and into the PNG's metadata
        self.title_text = title
        self.dotted = dotted
        self.figures = 0
        self.tables = 0

    def title(self, intro: str | None = None) -> None:
        """The chapter's heading. The build turns it into the notebook's first Markdown cell,
        where Quarto reads a chapter's title; `intro` stays an output below it."""
        display(Markdown(f"# {self.number} {self.title_text}"), metadata=TITLE_METADATA)
        if intro:
            display(Markdown(intro))

    # These methods return None on purpose: a notebook cell's last value is echoed into the report.

    def section(self, part: str, title: str, level: int = 2) -> None:
        """Heading "1(a) title" (or "5.1 title"); `part` "" gives the chapter number alone."""
        if not part:
            label = self.number
        else:
            label = f"{self.number}.{part}" if self.dotted else f"{self.number}({part})"
        display(Markdown(f"{'#' * level} {label} {title}"))

    def text(self, markdown: str) -> None:
        display(Markdown(markdown))

    def figure(self, figure: plt.Figure, caption: str) -> None:
        """Show a matplotlib figure as an embedded PNG with a numbered caption."""
        self.figures += 1
        label = f"Figure {self.number}.{self.figures}"
        if self.stamp:
            figure.text(0.995, 0.005, self.stamp, ha="right", va="bottom", fontsize=7, color="0.35")
        display(Image(data=figure_png(figure, self.stamp), width=_display_width(figure)))
        plt.close(figure)
        display(Markdown(f"*{label}: {caption}*"))

    def table(self, frame: pd.DataFrame, caption: str, float_format: str = ".4f",
              index: bool = False) -> None:
        """Show a DataFrame as a pipe table under a numbered caption."""
        self.tables += 1
        label = f"Table {self.number}.{self.tables}"
        # object dtype: an all-numeric frame would otherwise reach tabulate as one float array,
        # printing integer columns as "8.000"
        body = frame.astype(object).to_markdown(index=index, floatfmt=float_format)
        display(Markdown(f"*{label}: {caption}*\n\n{body}"))


def figure_png(figure: plt.Figure, stamp: str = "") -> bytes:
    buffer = io.BytesIO()
    metadata = {"Description": stamp} if stamp else None
    figure.savefig(buffer, format="png", dpi=FIGURE_DPI, bbox_inches="tight", metadata=metadata)
    return buffer.getvalue()


def _display_width(figure: plt.Figure) -> int:
    """Pixel width at which the figure fits the page (HTML and PDF alike)."""
    width_inches = min(figure.get_figwidth(), PAGE_WIDTH_INCHES)
    return int(width_inches * 96)


def bullet_list(items: Sequence[str]) -> str:
    return "\n".join(f"- {item}" for item in items)


def load_chapter_params(params_file: str, overrides: dict | None = None):
    """Params for a chapter run by papermill: the resolved profile (it names its study) plus the
    chapter's overrides.

    Seeds every generator so a chapter re-executed alone gives what the full build gave.
    """
    from ..common.seeding import seed_everything
    from ..studies.registry import load_resolved_params

    params = load_resolved_params(params_file, overrides or {})
    seed_everything(params.seed)
    return params


def figure_stamp(params, today: date | None = None) -> str:
    """The study's `book.figure_stamp` with `{date}` filled in (assignments that want every plot
    to carry the student's identifier and the date)."""
    return params.book.figure_stamp.format(date=(today or date.today()).isoformat())


def profile_notice(params) -> str:
    """A line for previews, so nobody hands in quick-profile numbers as the assignment's."""
    if params.profile == "full":
        return ""
    return (f"> **Preview ({params.profile} profile).** Small stratified subsets and few epochs; "
            f"the numbers below show the pipeline, not the assignment's results. Build the full "
            f"report with `nox -s build_report -- {params.study_name}`.")
