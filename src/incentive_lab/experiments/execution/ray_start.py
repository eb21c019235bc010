"""Starting (or joining) Ray: the one place that calls ``ray.init``.

Both the ``ray`` backend of ``experiments.execution.executors`` (one batch of runs) and the design
search of ``experiments.search.design`` (once for a whole search) open a :func:`ray_session`:

- Ray already initialised in this process (a notebook, a test, an outer session) is used as
  it is and left running;
- with ``address`` the driver joins that running cluster; without it a local Ray with
  ``num_cpus`` CPUs is started (``None``: Ray's default, every core);
- either way without the dashboard and without forwarding worker logs to the driver, and a
  session started here is shut down when it closes.

Joining a cluster is bounded: before ``ray.init`` the head's address is probed with a TCP
connection that must answer within ``connect_timeout`` seconds (default
:data:`CONNECT_TIMEOUT`, or the environment variable ``INCENTIVE_LAB_RAY_CONNECT_TIMEOUT``);
``ray.init`` on its own retries an address where nothing listens for minutes. Nothing
answering, a malformed address, or Ray's own ``ConnectionError`` is a
:class:`~incentive_lab.core.errors.ConfigError` naming ``address``; Ray not installed is one
naming ``backend``. (``address: auto`` — the cluster started on this machine — is not probed.)

Code travels with the runs: joining a cluster, the session ships this package and every
plugin package that registered a unit (Ray ``runtime_env`` ``py_modules``), so workers run
the driver's code even where the cluster has another version or none installed. A local Ray
started here imports from the driver's environment and needs no shipping.
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from incentive_lab.core import registry
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.extras import install_hint

CONNECT_TIMEOUT = 10.0
"""Seconds a cluster's head has to answer a TCP connection before joining is refused."""

TIMEOUT_ENV = "INCENTIVE_LAB_RAY_CONNECT_TIMEOUT"

log = logging.getLogger(__name__)


def ray_missing() -> ConfigError:
    """The error for ``backend: ray`` without Ray installed."""
    return ConfigError("backend", "ray", f"needs Ray installed: {install_hint('ray')}")


def connect_timeout() -> float:
    """:data:`CONNECT_TIMEOUT`, or the positive number of seconds in ``TIMEOUT_ENV``."""
    raw = os.environ.get(TIMEOUT_ENV)
    if raw is None:
        return CONNECT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise ConfigError(TIMEOUT_ENV, raw, "a positive number of seconds")
    return value


def head_endpoint(address: str) -> tuple[str, int] | None:
    """``(host, port)`` of ``host:port`` or ``ray://host:port``; ``None`` for ``auto``."""
    if address == "auto":
        return None
    rest = address.removeprefix("ray://")
    host, sep, port = rest.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError("address", address, "host:port, ray://host:port or auto")
    return host.strip("[]"), int(port)


def probe(address: str, timeout: float) -> None:
    """Refuse ``address`` unless something accepts a TCP connection there within ``timeout``."""
    endpoint = head_endpoint(address)
    if endpoint is None:
        return
    try:
        with socket.create_connection(endpoint, timeout=timeout):
            pass
    except OSError as error:
        reason = "no answer" if isinstance(error, TimeoutError) else error.strerror or error
        raise ConfigError(
            "address",
            address,
            f"a reachable Ray cluster head ({reason} within {timeout:g} s; "
            f"set {TIMEOUT_ENV} to wait longer)",
        ) from None


def shipped_modules() -> list[str]:
    """Directories of this package and of every plugin package that registered a unit."""
    roots = {"incentive_lab"}
    for kind in ("game", "learner", "mechanism"):
        for entry in registry.entries(kind):
            module = getattr(entry.factory, "__module__", "") or ""
            roots.add(module.split(".")[0])
    paths = []
    for root in sorted(roots):
        module = sys.modules.get(root)
        file = getattr(module, "__file__", None)
        if root != "__main__" and file is not None and Path(file).name == "__init__.py":
            paths.append(str(Path(file).parent))
    return paths


def import_ray() -> Any:
    """The ``ray`` module, or :func:`ray_missing` raised."""
    try:
        import ray
    except ImportError:
        raise ray_missing() from None
    return ray


@contextmanager
def ray_session(num_cpus: int | None, address: str | None) -> Iterator[Any]:
    """Yield ``ray``, initialised here unless it already was (module docstring)."""
    ray = import_ray()
    started_here = False
    if not ray.is_initialized():
        options: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        try:
            if address is None:
                log.info("starting a local Ray (num_cpus=%s)", num_cpus)
                ray.init(num_cpus=num_cpus, **options)
            else:
                probe(address, connect_timeout())
                runtime_env = {"py_modules": shipped_modules()}
                log.info("joining the Ray cluster at %s, shipping %s", address, runtime_env)
                ray.init(address=address, runtime_env=runtime_env, **options)
        except ConnectionError as error:
            raise ConfigError("address", address, f"a reachable Ray cluster ({error})") from None
        started_here = True
    try:
        yield ray
    finally:
        if started_here:
            ray.shutdown()
