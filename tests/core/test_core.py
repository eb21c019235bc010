"""Core vocabulary: errors, params validation, seeding, topology, registry lookups."""

import numpy as np
import pytest
from pydantic import Field, ValidationError

from incentive_lab.core import (
    ConfigError,
    Params,
    Topology,
    registry,
    run_seed,
    spawn_rngs,
    validate_params,
)
from incentive_lab.core.describe import describe


class Demo(Params):
    alpha: float = Field(0.1, gt=0, le=1)
    """Learning rate."""
    name: str = "x"
    """A label."""


def test_params_validate_and_describe():
    assert validate_params(Demo, {"alpha": 0.5}).alpha == 0.5
    docs = {doc.name: doc for doc in describe(Demo)}
    assert docs["alpha"].description == "Learning rate."
    assert docs["alpha"].default_value == 0.1 and docs["alpha"].type == "float in (0, 1]"


@pytest.mark.parametrize(
    ("raw", "needle"),
    [
        ({"alpha": 2.0}, "params.alpha: got 2.0"),
        ({"alpha": "fast"}, "params.alpha: got 'fast'"),
        ({"alhpa": 0.2}, "did you mean 'alpha'"),
        ([1, 2], "a mapping of parameters"),
    ],
)
def test_params_errors_name_field_value_and_allowed(raw, needle):
    with pytest.raises(ConfigError) as info:
        validate_params(Demo, raw)
    assert needle in str(info.value)


def test_params_are_frozen():
    params = validate_params(Demo, {})
    with pytest.raises(ValidationError):
        params.alpha = 0.3  # type: ignore[misc]


def test_run_seed_depends_only_on_experiment_seed_and_index():
    a = np.random.default_rng(run_seed(7, 3)).random(4)
    b = np.random.default_rng(run_seed(7, 3)).random(4)
    c = np.random.default_rng(run_seed(7, 4)).random(4)
    assert np.array_equal(a, b)
    assert not np.array_equal(a, c)


def test_spawned_streams_are_independent_and_reproducible():
    first = [rng.random(3) for rng in spawn_rngs(11, 3)]
    again = [rng.random(3) for rng in spawn_rngs(11, 3)]
    assert all(np.array_equal(x, y) for x, y in zip(first, again, strict=True))
    assert not np.array_equal(first[0], first[1])


def test_lattice_topology_degrees_and_symmetry():
    for kind, degree in (("von_neumann", 4), ("moore", 8)):
        topo = Topology.lattice(5, kind)
        assert topo.n == 25
        assert np.all(topo.degrees == degree)
        for i in range(topo.n):
            for j in topo.neighbours(i):
                assert i in topo.neighbours(int(j))
    # agent 0 on a 5x5 torus: right 1, down 5, left 4, up 20
    assert sorted(Topology.lattice(5, "von_neumann").neighbours(0).tolist()) == [1, 4, 5, 20]


def test_topology_from_networkx_matches_edges():
    nx = pytest.importorskip("networkx")
    topo = Topology.from_networkx(nx.cycle_graph(6))
    assert np.all(topo.degrees == 2)
    assert sorted(topo.neighbours(0).tolist()) == [1, 5]


def test_unknown_registry_id_suggests(monkeypatch):
    registry.ids("game")  # load the built-ins first
    games = dict(registry._ENTRIES["game"])
    monkeypatch.setitem(registry._ENTRIES, "game", games)
    registry.register("game", "test_core_dummy", params=Demo, description="dummy")(object)
    with pytest.raises(ConfigError) as info:
        registry.get("game", "test_core_dumy")
    assert "did you mean 'test_core_dummy'" in str(info.value)
    assert "game.id: got 'test_core_dumy'" in str(info.value)


def test_register_rejects_multiline_description():
    with pytest.raises(ValueError):
        registry.register("game", "x", params=Demo, description="two\nlines")


def test_every_declared_extra_is_in_pyproject() -> None:
    import tomllib
    from pathlib import Path

    from incentive_lab.core.extras import EXTRAS

    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())
    assert set(EXTRAS) <= set(pyproject["project"]["optional-dependencies"])
