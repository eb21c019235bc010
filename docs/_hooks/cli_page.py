"""MkDocs hook: the command-line reference, generated from the typer app at build time.

Walks the click command tree of :data:`incentive_lab.cli.app` (typer 0.29 builds it with its
own vendored copy of click, so the tree is read by duck typing: ``commands``, ``params``,
``get_usage``, ``context_class``) and writes, for every command and subcommand, its usage
line, its help text and its arguments and options.
"""

from __future__ import annotations

import html
from typing import Any

import typer
from mkdocs.structure.files import File, Files

from incentive_lab.cli import app

PROGRAM = "incentive-lab"


def _text(value: str) -> str:
    """Help text as Markdown: click's no-rewrap markers dropped, HTML escaped."""
    lines = [line for line in value.splitlines() if line.strip() != "\b"]
    return html.escape("\n".join(lines).strip(), quote=False)


def _param_line(param: Any, ctx: Any) -> str | None:
    if getattr(param, "hidden", False):
        return None
    record = param.get_help_record(ctx)
    if param.param_type_name == "argument":
        metavar = str(param.name).upper()
        required = "required" if param.required else "optional"
        help_text = (record[1] if record else None) or getattr(param, "help", None) or ""
        return f"- `{metavar}` ({required}) — {_text(help_text)}".rstrip(" —")
    if record is None:
        return None
    names, help_text = record
    return f"- `{names}` — {_text(help_text)}".rstrip(" —")


def _context(command: Any, name: str, parent: Any = None) -> Any:
    return command.context_class(command, info_name=name, parent=parent)


def _command(command: Any, ctx: Any, path: list[str]) -> list[str]:
    name = " ".join(path)
    lines = [f"## `{name}`", ""]
    usage = command.get_usage(ctx).removeprefix("Usage: ").strip()
    lines += ["```text", usage, "```", ""]
    if command.help:
        lines += [_text(command.help), ""]
    params = [line for p in command.params if (line := _param_line(p, ctx))]
    if params:
        lines += ["**Arguments and options**", "", *params, ""]
    for sub_name, sub in getattr(command, "commands", {}).items():
        lines += _command(sub, _context(sub, sub_name, ctx), [*path, sub_name])
    return lines


def cli_page() -> str:
    """The Markdown of the command-line reference."""
    root = typer.main.get_command(app)
    ctx = _context(root, PROGRAM)
    lines = [
        "# Command line",
        "",
        "Every command of `incentive-lab`, generated from the typer application when the "
        "site is built (the same text as `incentive-lab COMMAND --help`). Bad input exits "
        "with status 2 and one line `error: <field>: got <value>; <allowed>` on stderr.",
        "",
    ]
    if root.help:
        lines += [_text(root.help), ""]
    for name, command in getattr(root, "commands", {}).items():
        lines += _command(command, _context(command, name, ctx), [PROGRAM, name])
    return "\n".join(lines)


def on_files(files: Files, config: Any) -> Files:
    """Add ``reference/cli.md``."""
    files.append(File.generated(config, "reference/cli.md", content=cli_page()))
    return files
