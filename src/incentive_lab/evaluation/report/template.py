"""HTML building blocks of the report: the page shell, its CSS, tables, figures, badges.

The page is one self-contained file: inline CSS, inline SVG figures, one short inline
script (legend toggling, :mod:`incentive_lab.evaluation.figures.interactive`; hover values
are SVG ``<title>`` elements and need none), no fonts or images fetched from anywhere
(nothing in the page names an ``http(s)`` URL). Every piece of text is HTML-escaped here;
callers pass plain strings, or :class:`Markup` for fragments this module already built.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence

from incentive_lab.evaluation.figures import interactive

CSS = """
:root { --ink:#1d2330; --muted:#5b6475; --line:#dde2ea; --bg:#f6f7f9; --card:#fff;
        --good:#1a7f37; --good-bg:#dcf3e3; --bad:#b42318; --bad-bg:#fde4e1;
        --neutral-bg:#eef0f4; --accent:#2f5fb3; }
* { box-sizing: border-box; }
body { margin:0; background:var(--bg); color:var(--ink);
       font:15px/1.5 "DejaVu Sans","Liberation Sans",Arial,sans-serif; }
main { max-width:1180px; margin:0 auto; padding:28px 28px 60px; }
header.top { background:#1d2330; color:#fff; padding:26px 28px; }
header.top div { max-width:1180px; margin:0 auto; }
header.top h1 { margin:0 0 4px; font-size:26px; }
header.top p { margin:0; color:#c9d1e0; }
h2 { font-size:22px; margin:0 0 6px; }
h3 { font-size:17px; margin:26px 0 8px; }
section.card { background:var(--card); border:1px solid var(--line); border-radius:10px;
               padding:22px 26px; margin:22px 0; box-shadow:0 1px 2px rgba(0,0,0,.04); }
p.lead { color:var(--muted); margin:0 0 12px; }
ul.summary { padding-left:20px; margin:8px 0; }
ul.summary li { margin:5px 0; }
table { border-collapse:collapse; width:100%; margin:8px 0 4px; font-size:13.5px; }
th, td { border-bottom:1px solid var(--line); padding:6px 9px; text-align:left;
         vertical-align:top; }
th { background:#f0f2f6; font-weight:600; }
td.num { text-align:right; font-variant-numeric:tabular-nums; }
.warning { background:#fff4d6; border:1px solid #e8c25a; border-radius:8px; padding:8px 14px;
           margin:10px 0; } .warning ul { margin:4px 0; padding-left:20px; }
h4 { font-size:15px; margin:16px 0 6px; } p.noeffect { color:var(--muted); margin:4px 0 10px; }
td.better { background:var(--good-bg); } td.worse { background:var(--bad-bg); }
td.unclear { background:var(--neutral-bg); }
.badge { display:inline-block; padding:1px 8px; border-radius:10px; font-size:12px;
         font-weight:600; white-space:nowrap; }
.badge.clear { background:var(--good-bg); color:var(--good); }
.badge.unclear { background:var(--neutral-bg); color:var(--muted); }
.badge.over { background:var(--bad-bg); color:var(--bad); }
.badge.tie { background:#e6eefc; color:var(--accent); }
figure { margin:16px 0 8px; }
figure svg.figure { max-width:100%; height:auto; display:block; margin:0 auto; }
figcaption { color:var(--muted); font-size:13px; margin-top:4px; }
code, pre { font-family:"DejaVu Sans Mono",Menlo,Consolas,monospace; font-size:12.5px; }
pre { background:#f3f4f7; border:1px solid var(--line); border-radius:6px; padding:10px;
      overflow-x:auto; }
details { margin:6px 0; } summary { cursor:pointer; color:var(--accent); }
nav ul { columns:2; padding-left:20px; } a { color:var(--accent); }
footer { color:var(--muted); font-size:13px; margin-top:30px; }
"""


class Markup(str):
    """A string that is already HTML (not escaped again)."""


def esc(value: object) -> Markup:
    """``value`` as escaped HTML text (a :class:`Markup` passes through)."""
    if isinstance(value, Markup):
        return value
    return Markup(html.escape(str(value), quote=True))


def join(parts: Iterable[object]) -> Markup:
    """Concatenate fragments (plain strings are escaped)."""
    return Markup("".join(esc(p) for p in parts))


def tag(name: str, content: object = "", **attrs: object) -> Markup:
    """``<name attrs>content</name>``; ``class_`` becomes ``class``."""
    text = "".join(
        f' {key.rstrip("_").replace("_", "-")}="{html.escape(str(value), quote=True)}"'
        for key, value in attrs.items()
        if value is not None
    )
    return Markup(f"<{name}{text}>{esc(content)}</{name}>")


def ci_text(mean: float, low: float, high: float) -> str:
    """``mean [low, high]``: the one way every interval is printed (as ``show``)."""
    return f"{mean:.4g} [{low:.4g}, {high:.4g}]"


def badge(text: str, kind: str) -> Markup:
    """A small coloured label (``clear``, ``unclear``, ``over``)."""
    return tag("span", text, class_=f"badge {kind}")


def table(
    header: Sequence[object],
    rows: Iterable[Sequence[object]],
    *,
    numeric: Sequence[int] = (),
    cell_classes: Iterable[Sequence[str | None]] | None = None,
) -> Markup:
    """A table; columns in ``numeric`` are right-aligned; optional per-cell classes."""
    head = tag("tr", join(tag("th", h) for h in header))
    classes = list(cell_classes) if cell_classes is not None else None
    body = []
    for r, row in enumerate(rows):
        cells = []
        for c, value in enumerate(row):
            names = ["num"] if c in numeric else []
            if classes is not None and classes[r][c]:
                names.append(str(classes[r][c]))
            cells.append(tag("td", value, class_=" ".join(names) or None))
        body.append(tag("tr", join(cells)))
    return tag("table", join([tag("thead", head), tag("tbody", join(body))]))


def figure(svg: str, caption: str, ident: str, kind: str) -> Markup:
    """A numbered figure holding an inline SVG."""
    return tag("figure", join([Markup(svg), tag("figcaption", caption)]), id=ident, data_kind=kind)


def page(title: str, subtitle: str, body: object, footer: object) -> str:
    """The whole HTML document."""
    head = join(
        [
            Markup('<meta charset="utf-8">'),
            Markup('<meta name="viewport" content="width=device-width, initial-scale=1">'),
            tag("title", title),
            tag("style", Markup(CSS + interactive.CSS)),
        ]
    )
    top = tag("header", tag("div", join([tag("h1", title), tag("p", subtitle)])), class_="top")
    main = tag("main", join([body, tag("footer", footer)]))
    script = tag("script", Markup(interactive.SCRIPT))
    document = f'<html lang="en">\n<head>{head}</head>\n<body>{top}{main}{script}</body>\n</html>\n'
    return "<!DOCTYPE html>\n" + document
