"""Deterministic, accessible SVG from a matplotlib Figure.

The same figure gives byte-identical SVG on every run and every worker: no creation
date, a fixed hash salt for the ids of clip paths and markers, and text kept as text
(``svg.fonttype = "none"``) so the file stays small and searchable. The chart's title
and text alternative go into ``<title>`` and ``<desc>``.
"""

from __future__ import annotations

import hashlib
import io
import re
import threading
import warnings
from typing import Literal
from xml.sax.saxutils import escape, quoteattr

import matplotlib as mpl
from matplotlib.figure import Figure

__all__ = ["to_svg"]

# rc_context changes process-wide settings for the length of one savefig; the lock keeps
# two threads of one worker from saving with each other's salt.
_RC_LOCK = threading.Lock()
_TITLE_PLACES: tuple[Literal["left", "center", "right"], ...] = ("left", "center", "right")
_SVG_OPEN = re.compile(r"<svg\b[^>]*>")
# Group ids such as "figure_1" repeat in every chart and nothing refers to them; two
# charts inlined in one page would otherwise share ids.
_GROUP_ID = re.compile(r'(<g\b[^>]*?) id="[^"]*"')
_TAG = re.compile(r"<[^<>]*>")
_DECIMAL = re.compile(r"-?[0-9]+\.[0-9]{3,}")
_INDENT = re.compile(r"\n[ \t]+")
_BARE_GROUP = re.compile(r"<g>\n(<[^<>]*/>)\n</g>")
# No date, and no creator that would change the bytes when matplotlib is upgraded.
_METADATA: dict[str, str | None] = {"Date": None, "Creator": None, "Format": None, "Type": None}


def _describe(figure: Figure) -> tuple[str, str]:
    suptitle = figure.get_suptitle()
    titles = [
        ax.get_title(loc=loc)
        for ax in figure.axes
        for loc in _TITLE_PLACES
        if ax.get_title(loc=loc)
    ]
    labels = [str(ax.get_label()) for ax in figure.axes if ax.get_label()]
    title = suptitle or "; ".join(titles) or "Chart"
    return title, " ".join(labels)


def _round(match: re.Match[str]) -> str:
    return f"{float(match.group(0)):.2f}".rstrip("0").rstrip(".")


def _compact(text: str) -> str:
    # Coordinates to 0.01 pt, only inside tags: matplotlib escapes < and > in text, so
    # text content (published values) is never touched.
    text = _TAG.sub(lambda m: _DECIMAL.sub(_round, m.group(0)), text)
    text = _INDENT.sub("\n", _GROUP_ID.sub(r"\1", text))
    return _BARE_GROUP.sub(r"\1", text)


def to_svg(figure: Figure, *, title: str | None = None, description: str | None = None) -> str:
    """Render ``figure`` as deterministic SVG text with ``<title>`` and ``<desc>``.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        Built with ``Figure()`` directly (never pyplot).
    title : str, optional
        Accessible name. Default: the figure's suptitle, else its axes titles.
    description : str, optional
        Accessible description. Default: the text alternatives that the chart functions
        of this package store as each Axes' label.

    Returns
    -------
    str
        An ``<svg>`` element (no XML prolog, so it can be inlined in HTML) with
        ``role="img"`` and ``aria-labelledby`` pointing at its ``<title>`` and
        ``<desc>``; ids are derived from the title and description, so
        different charts on one page do not share ids.

    Examples
    --------
    >>> fig = Figure(figsize=(2, 1))
    >>> ax = fig.add_subplot()
    >>> svg = to_svg(fig, title="Empty", description="Nothing drawn.")
    >>> svg == to_svg(fig, title="Empty", description="Nothing drawn.")
    True
    >>> "<title id=" in svg and "<desc id=" in svg
    True
    """
    if not isinstance(figure, Figure):
        raise TypeError(f"figure must be a matplotlib Figure, got {type(figure).__name__}")
    default_title, default_description = _describe(figure)
    title = default_title if title is None else title
    description = default_description if description is None else description
    digest = hashlib.sha256(f"{title}\x00{description}".encode()).hexdigest()
    svg_id = f"chart-{digest[:12]}"
    buffer = io.StringIO()
    with (
        _RC_LOCK,
        mpl.rc_context(
            {
                "svg.fonttype": "none",
                "svg.hashsalt": digest,
                "svg.id": svg_id,
                # Named in every <text>: the default fallback list costs ~200 bytes each.
                "font.sans-serif": ["DejaVu Sans", "Arial", "Helvetica"],
            }
        ),
        warnings.catch_warnings(),
    ):
        # Text stays text, drawn by the browser in its own fonts; matplotlib only
        # measures it and has no glyphs here for every script of the reports (CJK).
        warnings.filterwarnings("ignore", r"Glyph \d+ .* missing from font", UserWarning)
        figure.savefig(buffer, format="svg", metadata=_METADATA)
    text = _compact(buffer.getvalue())
    match = _SVG_OPEN.search(text)
    if match is None:  # pragma: no cover - matplotlib always writes one
        raise RuntimeError("matplotlib wrote no <svg> element")
    labelled = (
        f'{match.group(0)[:-1]} role="img" '
        f"aria-labelledby={quoteattr(f'{svg_id}-title {svg_id}-desc')}>"
        f'\n <title id="{svg_id}-title">{escape(title)}</title>'
        f'\n <desc id="{svg_id}-desc">{escape(description)}</desc>'
    )
    # Drop the XML prolog and doctype: the element alone is both a valid .svg file and
    # markup that can be inlined in an HTML page.
    return labelled + text[match.end() :]
