"""Starting (or joining) Ray: the one place that calls ``ray.init``.

Both the ``ray`` backend of ``experiments.execution.executors`` (one batch of runs) and the design
search of ``experiments.search.design`` (once for a whole search) open a :func:`ray_session`:

- Ray already initialised in this process (a notebook, a test, an outer session) is used as
  it is and left running;
- with ``address`` the driver joins that running cluster; without it a local Ray with
  ``num_cpus`` CPUs is started (``None``: Ray's default, every core);
- either way without the dashboard and without forwarding worker logs to the driver, and a
  session started here is shut down when it closes.

No timeout is set: ``ray.init`` uses Ray's own. An unreachable ``address`` (Ray raises
``ConnectionError``) is a :class:`~incentive_lab.core.errors.ConfigError` naming
``address``; Ray not installed is one naming ``backend``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from incentive_lab.core.errors import ConfigError


def ray_missing() -> ConfigError:
    """The error for ``backend: ray`` without Ray installed."""
    return ConfigError("backend", "ray", "needs Ray installed: pip install incentive-lab[ray]")


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
                ray.init(num_cpus=num_cpus, **options)
            else:
                ray.init(address=address, **options)
        except ConnectionError as error:
            raise ConfigError("address", address, f"a reachable Ray cluster ({error})") from None
        started_here = True
    try:
        yield ray
    finally:
        if started_here:
            ray.shutdown()
