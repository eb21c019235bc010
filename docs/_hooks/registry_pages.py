"""MkDocs hook: one reference page per family (games, learners, mechanisms) from the registry.

At build time every registered id gets a section with its description, the capabilities it
offers or needs, and its parameters as described by :mod:`incentive_lab.core.describe`.
The pages are generated in memory (``File.generated``) and never committed.
"""

from __future__ import annotations

import html
import re
from typing import Any

from mkdocs.structure.files import File, Files

from incentive_lab.core.describe import ParamDoc, describe, yaml_text
from incentive_lab.core.registry import Entry, entries

FAMILIES = {
    "game": (
        "Games",
        "A game holds the rules: `n_agents` agents choose discrete actions at once and "
        "receive *base* rewards. Choose one with `game: {id: ..., params: {...}}`.",
    ),
    "learner": (
        "Learners",
        "A learner drives a group of agents and optimises the *shaped* rewards. Choose "
        "them with `learners: [{id: ..., params: {...}}]` (with `agents:` ranges to mix).",
    ),
    "mechanism": (
        "Mechanisms",
        "A mechanism turns base rewards into shaped rewards and may move real money "
        "(transfers, counted as incentive cost). Choose one with "
        "`mechanism: {id: ..., params: {...}}`.",
    ),
}
METADATA_SHOWN = ("pays", "shaping", "stateless", "stochastic")


def _inline(text: str) -> str:
    """Escape for HTML, then turn reStructuredText ````code```` into ``<code>``."""
    escaped = html.escape(text, quote=False)
    return re.sub(r"``(.+?)``", r"<code>\1</code>", escaped)


def _param_rows(docs: list[ParamDoc], prefix: str = "") -> list[str]:
    rows = []
    for doc in docs:
        default = "<em>required</em>" if doc.required else f"<code>{_inline(doc.default)}</code>"
        rows.append(
            f"<tr><td><code>{prefix}{doc.name}</code></td><td>{_inline(doc.type)}</td>"
            f"<td>{default}</td><td>{_inline(doc.description)}</td></tr>"
        )
        rows.extend(_param_rows(list(doc.fields), f"{prefix}{doc.name}."))
    return rows


def parameter_table(entry: Entry) -> str:
    """The parameters of one unit as an HTML table (types hold ``|``, so not Markdown)."""
    docs = describe(entry.params)
    if not docs:
        return "No parameters.\n"
    head = "<tr><th>parameter</th><th>type</th><th>default (YAML)</th><th>description</th></tr>"
    body = "\n".join(_param_rows(docs))
    return f"<table>\n<thead>{head}</thead>\n<tbody>\n{body}\n</tbody>\n</table>\n"


def _capabilities(entry: Entry) -> list[str]:
    lines = []
    if entry.offers:
        lines.append("**Offers:** " + ", ".join(f"`{c.value}`" for c in sorted(entry.offers)))
    if entry.kind != "game":
        needs = entry.needs()
        if callable(entry.requires):
            text = ", ".join(f"`{c.value}`" for c in sorted(needs)) or "nothing"
            lines.append(f"**Needs:** depends on the parameters (with the defaults: {text})")
        elif needs:
            lines.append("**Needs:** " + ", ".join(f"`{c.value}`" for c in sorted(needs)))
        else:
            lines.append("**Needs:** nothing beyond the game contract")
    flags = {k: entry.metadata[k] for k in METADATA_SHOWN if k in entry.metadata}
    if flags:
        declared = ", ".join(f"`{k}: {yaml_text(v)}`" for k, v in flags.items())
        lines.append(f"**Declares:** {declared}")
    return lines


def _snippet(entry: Entry) -> str:
    example: dict[str, Any] = {}
    for doc in describe(entry.params):
        if doc.required:
            example[doc.name] = "..."
    params = ", ".join(f"{k}: {v}" for k, v in example.items())
    value = f"{{id: {entry.id}, params: {{{params}}}}}" if params else f"{{id: {entry.id}}}"
    key = {"game": "game", "learner": "learners", "mechanism": "mechanism"}[entry.kind]
    return f"{key}: [{value}]" if key == "learners" else f"{key}: {value}"


def family_page(kind: str) -> str:
    """The Markdown of one family's reference page."""
    title, intro = FAMILIES[kind]
    units = entries(kind)  # type: ignore[arg-type]
    lines = [
        f"# {title}",
        "",
        f"{intro} {len(units)} {title.lower()} are registered. This page is generated from "
        f"the registry when the site is built; `incentive-lab list {kind}s ID` prints the "
        "same in a terminal. Types read as YAML: `a | b` lists the allowed values, "
        "`| null` marks an optional parameter, ranges are inclusive at `[` `]`; every "
        "number must be finite (no `.inf`, no `.nan`).",
        "",
        "| id | description |",
        "|---|---|",
    ]
    lines += [f"| [`{e.id}`](#{_anchor(e.id)}) | {_cell(e.description)} |" for e in units]
    lines.append("")
    for entry in units:
        module = getattr(entry.factory, "__module__", "")
        lines += [f"## `{entry.id}` {{#{_anchor(entry.id)}}}", "", _cell(entry.description), ""]
        lines += [f"{line}  " for line in _capabilities(entry)]
        lines += ["", f"Defined in `{module}`.", "", "```yaml", _snippet(entry), "```", ""]
        lines += [parameter_table(entry), ""]
    return "\n".join(lines)


def _anchor(unit_id: str) -> str:
    return re.sub(r"[^a-z0-9_-]+", "-", unit_id.lower())


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def on_files(files: Files, config: Any) -> Files:
    """Add ``reference/games.md``, ``reference/learners.md`` and ``reference/mechanisms.md``."""
    for kind in FAMILIES:
        files.append(File.generated(config, f"reference/{kind}s.md", content=family_page(kind)))
    return files
