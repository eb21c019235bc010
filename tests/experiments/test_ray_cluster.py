"""Ray on a real cluster: a head started by ``ray start --head`` on 127.0.0.1 in a subprocess,
a sweep run through ``--address``, and results bit-identical to the local executor; an
unreachable address fails within the connect timeout with exit 2 and one line.

The head gets a private temp directory (``TMPDIR``/``RAY_TMPDIR``), so a plain ``ray.init()``
elsewhere in the suite never finds and joins it, and it is stopped by killing its process
group (``ray stop`` would stop every Ray on the machine).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import pytest

from incentive_lab.experiments.execution.ray_start import TIMEOUT_ENV

pytestmark = [
    pytest.mark.ray,
    pytest.mark.skipif(importlib.util.find_spec("ray") is None, reason="ray not installed"),
]

CLI = [sys.executable, "-m", "incentive_lab.cli"]
CONFIG = """
name: ray-cluster
game: {id: prisoners_dilemma, params: {n_copies: 20}}
learners: [{id: q_learning, params: {alpha: 0.1, epsilon: 0.1}}]
mechanism: {id: none}
steps: 200
seeds: 2
sweep:
  mechanism: [{id: none}, {id: action_tax, params: {taxes: [0.0, 2.5]}}]
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def summaries(db: Path) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT run_id, name, value FROM summary ORDER BY run_id, name"
        ).fetchall()


def test_unreachable_address_fails_fast_with_one_line(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG)
    port = free_port()  # nothing listens there
    env = {**os.environ, TIMEOUT_ENV: "3"}
    done = subprocess.run(
        [*CLI, "run", str(config), "--db", str(tmp_path / "x.duckdb"), "--backend", "ray",
         "--address", f"127.0.0.1:{port}"],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.rstrip("\n").splitlines()
    assert len(lines) == 1 and "address" in lines[0] and "Traceback" not in done.stderr


@pytest.mark.slow
def test_sweep_through_a_real_local_head_matches_local(tmp_path: Path) -> None:
    if shutil.which("ray", path=str(Path(sys.executable).parent)) is None:
        pytest.skip("the ray command is not installed beside this Python")
    config = tmp_path / "c.yaml"
    config.write_text(CONFIG)
    ray_tmp = tempfile.mkdtemp(prefix="rh", dir="/tmp")  # short: Ray's socket paths are bounded
    port = free_port()
    env = {**os.environ, "TMPDIR": ray_tmp, "RAY_TMPDIR": ray_tmp, "RAY_AUTH_MODE": "disabled"}
    head = subprocess.Popen(
        [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block",
         f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
         "--include-dashboard=false", f"--temp-dir={ray_tmp}"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                assert head.poll() is None, "ray start --head exited"
                assert time.monotonic() < deadline, "the Ray head did not come up in 90 s"
                time.sleep(0.5)
        via_ray = subprocess.run(
            [*CLI, "run", str(config), "--db", str(tmp_path / "ray.duckdb"), "--backend", "ray",
             "--address", f"127.0.0.1:{port}", "--workers", "2"],
            capture_output=True, text=True, env=env, timeout=300,
        )  # fmt: skip
        assert via_ray.returncode == 0, via_ray.stderr[-2000:]
    finally:
        os.killpg(head.pid, signal.SIGTERM)
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(head.pid, signal.SIGKILL)
        shutil.rmtree(ray_tmp, ignore_errors=True)
    local = subprocess.run(
        [*CLI, "run", str(config), "--db", str(tmp_path / "local.duckdb"), "--workers", "1"],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert local.returncode == 0, local.stderr[-2000:]
    ray_rows, local_rows = summaries(tmp_path / "ray.duckdb"), summaries(tmp_path / "local.duckdb")
    assert len(local_rows) > 0
    assert ray_rows == local_rows
