"""Hover values and legend toggling for the report's inline SVG figures.

The report stays one self-contained file: the figures are matplotlib SVG, and the little
interactivity there is comes from SVG itself plus a few lines of inline JavaScript
(:data:`SCRIPT`, no external assets):

* **Hover values** — a data point (or a whole series) gets an SVG ``<title>`` child, which
  every browser shows as a tooltip (SVG 1.1 §5.4, "The 'desc' and 'title' elements").
  A figure builder calls :func:`tip` on the artist that draws it; matplotlib writes the
  artist as ``<g id="GID">`` (``Artist.set_gid``) and :func:`add_titles` inserts
  ``<title>TEXT</title>`` into that group once the SVG is written.
* **Legend toggling** — every artist of candidate ``k`` gets a gid ``series-K-N``
  (:func:`series`; ``N`` keeps ids unique) and the legend's entry ``k`` the gids
  ``legend-item-K`` (its text) and ``legend-mark-K`` (its line/patch), set in
  :func:`mark_legend`. Clicking an entry hides or shows every ``…-series-K-…`` element of
  the same SVG and dims the entry (:data:`SCRIPT`). Ids are prefixed per figure by
  ``comparison.to_svg``, so the figures of one page never collide.

Texts are kept per figure in a :class:`weakref.WeakKeyDictionary` (never on the figure
object), so building a figure twice gives the same bytes.
"""

from __future__ import annotations

import html
import re
import weakref
from collections.abc import Iterable
from typing import Any

_TIPS: weakref.WeakKeyDictionary[Any, dict[str, str]] = weakref.WeakKeyDictionary()
_COUNTS: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def _next(fig: Any) -> int:
    n = _COUNTS.get(fig, 0)
    _COUNTS[fig] = n + 1
    return n


def _artists(thing: Any) -> list[Any]:
    """The drawn artists of an artist, a list of them or an ``errorbar`` container."""
    if thing is None:
        return []
    if isinstance(thing, list | tuple):
        return [a for item in thing for a in _artists(item)]
    children = getattr(thing, "get_children", None)
    if hasattr(thing, "lines") and callable(children):  # an ErrorbarContainer
        return [a for a in children() if a is not None]
    return [thing]


def series(thing: Any, k: int) -> None:
    """Mark ``thing`` (artist, list or errorbar container) as drawing candidate ``k``."""
    for artist in _artists(thing):
        fig = artist.get_figure(root=True)
        artist.set_gid(f"series-{k}-{_next(fig)}")


def tip(thing: Any, text: str) -> None:
    """Show ``text`` when the pointer rests on ``thing`` (its first artist gets the title).

    A ``thing`` already marked by :func:`series` keeps its gid.
    """
    artists = _artists(thing)
    if not artists:
        return
    artist = artists[0]
    fig = artist.get_figure(root=True)
    gid = artist.get_gid() or f"tip-{_next(fig)}"
    artist.set_gid(gid)
    _TIPS.setdefault(fig, {})[gid] = text


def mark_legend(legend: Any, keys: Iterable[int]) -> None:
    """Give legend entry ``j`` the gids of candidate ``keys[j]`` (text and handle)."""
    handles = list(getattr(legend, "legend_handles", []))
    for j, (k, text) in enumerate(zip(keys, legend.get_texts(), strict=False)):
        text.set_gid(f"legend-item-{k}")
        if j < len(handles) and handles[j] is not None:
            handles[j].set_gid(f"legend-mark-{k}")


def add_titles(svg: str, fig: Any, prefix: str) -> str:
    """Insert the ``<title>`` of every :func:`tip` into the written (prefixed) ``svg``."""
    for gid, text in _TIPS.get(fig, {}).items():
        opening = re.compile(rf'<g id="{re.escape(prefix)}-{re.escape(gid)}"[^>]*>')
        found = opening.search(svg)
        if found is None:
            continue
        title = f"<title>{html.escape(text, quote=False)}</title>"
        svg = svg[: found.end()] + title + svg[found.end() :]
    return svg


def value_text(value: float, low: float | None = None, high: float | None = None) -> str:
    """``22.1`` or ``22.1 [20.3, 23.4]`` (four significant digits, as the tables)."""
    if low is None or high is None:
        return f"{value:.4g}"
    return f"{value:.4g} [{low:.4g}, {high:.4g}]"


SCRIPT = """
document.addEventListener("click", function (event) {
  var target = event.target.closest ? event.target.closest("[id]") : null;
  while (target && !/-legend-(item|mark)-\\d+$/.test(target.id)) {
    target = target.parentElement ? target.parentElement.closest("[id]") : null;
  }
  if (!target) { return; }
  var found = target.id.match(/^(.*)-legend-(item|mark)-(\\d+)$/);
  var svg = target.closest("svg");
  var base = found[1] + "-legend-";
  var off = !target.classList.contains("off");
  ["item-", "mark-"].forEach(function (part) {
    var entry = svg.querySelector('[id="' + base + part + found[3] + '"]');
    if (entry) { entry.classList.toggle("off", off); }
  });
  svg.querySelectorAll('[id^="' + found[1] + "-series-" + found[3] + '-"]').forEach(
    function (element) { element.style.display = off ? "none" : ""; }
  );
});
"""
"""Legend toggling: a click on entry K of a figure hides/shows its ``…-series-K-…`` ids."""

CSS = """
svg [id*="-legend-item-"], svg [id*="-legend-mark-"] { cursor: pointer; }
svg .off { opacity: .3; }
"""
"""Legend entries look clickable; a hidden candidate's entry is dimmed."""
