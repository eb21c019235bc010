"""``incentive-lab list``: the registered games, learners and mechanisms and their parameters.

::

    incentive-lab list [games|learners|mechanisms] [ID] [--json] [--for GAME]

Without an id, one overview table per kind; with an id, that unit's parameters in full,
described by :mod:`incentive_lab.core.describe` (the allowed values of choice parameters,
ranges, defaults as YAML writes them; a nested parameter model's fields as ``name.field``);
``--for GAME`` keeps the learners or mechanisms whose declared needs the game meets;
``--json`` prints the same listing machine-readably.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from incentive_lab.cli._common import out, user_errors
from incentive_lab.core.describe import ParamDoc, describe, plain
from incentive_lab.core.errors import ConfigError, unknown_choice
from incentive_lab.core.registry import KINDS, Entry, entries, fitting, get


def entry_record(entry: Entry) -> dict[str, Any]:
    """One registered unit as a JSON-able dict (``list --json``)."""
    return {
        "id": entry.id,
        "description": entry.description,
        "parameters": [doc.as_dict() for doc in describe(entry.params)],
        "metadata": plain(dict(entry.metadata)),
        "offers": sorted(c.value for c in entry.offers),
        "requires": sorted(c.value for c in entry.needs()),
    }


def _rows(docs: list[ParamDoc], prefix: str = "") -> list[tuple[str, str, str, str]]:
    rows = []
    for doc in docs:
        default = "required" if doc.required else doc.default
        rows.append((prefix + doc.name, doc.type, default, doc.description))
        rows.extend(_rows(list(doc.fields), f"{prefix}{doc.name}."))
    return rows


def entry_table(entry: Entry) -> Table:
    """The parameters of one unit, titled ``id — description``."""
    title = f"[bold]{escape(entry.id)}[/bold] — {escape(entry.description)}"
    table = Table(title=title, title_justify="left")
    for column in ("parameter", "type", "default (YAML)", "description"):
        table.add_column(column, overflow="fold")
    for row in _rows(describe(entry.params)):
        table.add_row(*(escape(cell) for cell in row))
    declared = {"offers": entry.offers, "needs": entry.needs() if entry.kind != "game" else ()}
    caption = [f"{k}: {', '.join(sorted(c.value for c in v))}" for k, v in declared.items() if v]
    if caption:
        table.caption = "; ".join(caption)
        table.caption_justify = "left"
    return table


def list_units(
    kind: Annotated[
        str | None, typer.Argument(help="games, learners or mechanisms (default: all).")
    ] = None,
    unit: Annotated[str | None, typer.Argument(help="One id: show its parameters in full.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Machine-readable JSON.")] = False,
    for_game: Annotated[
        str | None,
        typer.Option(
            "--for",
            help="Only the learners and mechanisms whose declared needs this game meets.",
        ),
    ] = None,
) -> None:
    """List registered games, learners and mechanisms (an id shows its parameters)."""
    from incentive_lab.cli._tables import overview_table

    with user_errors():
        kinds = list(KINDS)
        if kind is not None:
            singular = kind[:-1] if kind.endswith("s") else kind
            if singular not in KINDS:
                raise unknown_choice("kind", kind, [f"{k}s" for k in KINDS])
            kinds = [singular]  # type: ignore[list-item]
        selected = {k: entries(k) for k in kinds}  # type: ignore[arg-type]
        if for_game is not None:
            offered = get("game", for_game, "--for").offers
            selected = {
                k: fitting(k, offered)  # type: ignore[arg-type]
                for k in kinds
                if k != "game"
            }
            if not selected:
                raise ConfigError("--for", for_game, "lists learners or mechanisms, not games")
        if unit is not None:
            selected = {kinds[0]: [get(kinds[0], unit, f"{kinds[0]}.id")]}  # type: ignore[arg-type]
        listing = {f"{k}s": [entry_record(e) for e in units] for k, units in selected.items()}
    if as_json:
        typer.echo(json.dumps(listing, indent=2, sort_keys=False))
        return
    for k, units in selected.items():
        if unit is not None:
            out.print(entry_table(units[0]))
        else:
            out.print(overview_table(k, units))
    if unit is None:
        out.print(
            "[dim]Parameters in full: incentive-lab list KIND ID (e.g. list games public_goods)"
        )
    else:
        out.print("[dim]a | b: the allowed values; | null: optional; every number is finite.")
