"""The shape of the source tree: no import cycle, no reach into another package's private
modules, no module past 400 lines.

The import graph is built with ``ast`` over every module of ``src/incentive_lab``, including
imports inside functions (a function-level import is still a dependency; hiding a cycle in a
function body is how circles creep back in). ``TYPE_CHECKING`` blocks are included too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import networkx as nx

SRC = Path(__file__).resolve().parents[2] / "src"
PACKAGE = SRC / "incentive_lab"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(name: str, path: Path) -> set[str]:
    """Modules of the package that ``name`` imports (resolved to existing modules)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    is_package = path.name == "__init__.py"
    out: set[str] = set()
    for node in ast.walk(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            targets = [f"{prefix}.{alias.name}" for alias in node.names] + [prefix]
        for target in targets:
            # the longest existing module that prefixes the target
            parts = target.split(".")
            while parts and ".".join(parts) not in MODULES:
                parts.pop()
            if parts:
                resolved = ".".join(parts)
                if resolved != name:
                    out.add(resolved)
    return out


def graph() -> nx.DiGraph:
    g = nx.DiGraph()
    for name, path in MODULES.items():
        g.add_node(name)
        for target in imported(name, path):
            if name.startswith(target + "."):
                continue  # a module importing its own package's __init__ is not a cycle edge
            g.add_edge(name, target)
    return g


def test_the_graph_sees_the_package():
    g = graph()
    assert len(MODULES) > 100
    assert g.has_edge("incentive_lab.rollout", "incentive_lab.core.game")


def test_no_import_cycle_in_src():
    g = graph()
    cycles = [c for c in nx.simple_cycles(g) if len(c) > 1]
    shortest = sorted(cycles, key=len)[:5]
    assert not cycles, f"{len(cycles)} import cycles, e.g. {shortest}"


def test_no_import_of_another_packages_private_module():
    offenders = []
    for name, path in MODULES.items():
        for target in imported(name, path):
            parts = target.split(".")
            private = [
                k for k, part in enumerate(parts) if part.startswith("_") and part != "__init__"
            ]
            if not private:
                continue
            owner = ".".join(parts[: private[0]])  # the package that owns the private module
            if not (name == owner or name.startswith(owner + ".")):
                offenders.append(f"{name} imports {target}")
    assert not offenders, offenders


def test_no_module_over_400_lines():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert not long, long
