"""``examples/quickstart.ipynb`` runs top to bottom in a fresh kernel (so it cannot rot):
an experiment, its summary and curves inline, a mechanism registered in a cell and run on
two worker processes, the report."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

NOTEBOOK = Path(__file__).resolve().parents[2] / "examples" / "quickstart.ipynb"

pytestmark = pytest.mark.skipif(
    importlib.util.find_spec("nbclient") is None or importlib.util.find_spec("ipykernel") is None,
    reason="nbclient and ipykernel (the dev extra) are not installed",
)


def test_quickstart_notebook_runs(tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(NOTEBOOK, as_version=4)
    NotebookClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": tmp_path}}
    ).execute()
    outputs = [out for cell in notebook.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    images = [out for out in outputs if "image/png" in out.get("data", {})]
    assert len(images) == 1  # the learning curves
    tables = [out for out in outputs if "text/html" in out.get("data", {})]
    assert len(tables) >= 2  # the two summaries
    assert (tmp_path / "notebook-report.html").stat().st_size > 10_000
    printed = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    line = next(line for line in printed.splitlines() if line.startswith("cooperation with"))
    # a subsidy of 3 > max(T-R, P-S) = 2 makes cooperation dominant: near 1 - epsilon/2
    assert float(line.rsplit(" ", 1)[1]) > 0.8
