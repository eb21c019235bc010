"""Items 2, 3 and 12: limits decided before any work starts (run count, YAML budget)."""

from __future__ import annotations

import resource
from pathlib import Path

import pytest
from rel_helpers import assert_one_line_error, digest, invoke, tiny, write

from incentive_lab.core.errors import ConfigError
from incentive_lab.experiments.config.loading import MAX_YAML_DEPTH, count_runs, load_config
from incentive_lab.experiments.config.plan import plan_runs

BOMB_LEVELS = "\n".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)
)
ALIAS_BOMB = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + BOMB_LEVELS


def _peak_kb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def test_a_billion_seeds_exits_2_naming_the_count_without_building_anything(db: Path) -> None:
    before, peak = digest(db), _peak_kb()
    config = write(db.parent / "huge.yaml", tiny(seeds=1_000_000_000))
    line = assert_one_line_error(invoke("run", config, "--db", db), "1000000000 runs")
    assert "--max-runs" in line
    assert digest(db) == before
    assert _peak_kb() - peak < 200_000  # a tuple of 10^9 seed indices would be 8 GB


def test_bench_run_with_a_billion_seeds_exits_2(tmp_path: Path) -> None:
    result = invoke("bench", "run", "pd-q-v1", "--seeds", "1000000000", "--db", tmp_path / "x")
    assert_one_line_error(result, "000000000 runs")
    assert not (tmp_path / "x").exists()


def test_a_ten_million_point_sweep_is_counted_not_expanded() -> None:
    values = list(range(1, 3163))  # 3162 x 3162 points ~ 10^7
    config = tiny(sweep={"steps": values, "record_every": values})
    with pytest.raises(ConfigError, match="9998244 runs"):
        plan_runs(config)


def test_the_limit_is_overridable_in_the_config_and_by_the_caller() -> None:
    config = tiny(seeds=3, limits={"max_runs": 2})
    with pytest.raises(ConfigError, match="at most 2 runs"):
        plan_runs(config)
    assert len(plan_runs(config, max_runs=3)) == 3
    assert count_runs(load_config(tiny(seeds=[4, 7], sweep={"steps": [40, 80]}))) == 4


def test_limits_never_change_run_ids() -> None:
    plain = [t.run_id for t in plan_runs(tiny(seeds=2))]
    limited = [t.run_id for t in plan_runs(tiny(seeds=2, limits={"max_runs": 5}))]
    assert plain == limited


def test_cli_max_runs_flag(db: Path) -> None:
    config = write(db.parent / "three.yaml", tiny(name="three", seeds=3))
    assert_one_line_error(invoke("run", config, "--db", db, "--max-runs", "2"), "3 runs")
    assert invoke("run", config, "--db", db, "--max-runs", "3", "--workers", "1").exit_code == 0


@pytest.mark.parametrize("where", ["name", "game.params", "sweep", "personas"])
def test_an_alias_bomb_exits_2_fast(db: Path, where: str) -> None:
    """A 324-byte-class YAML alias bomb anywhere in the config is refused while composing."""
    use = {
        "name": "name: *i",
        "game.params": "game: {id: prisoners_dilemma, params: {n_copies: *i}}",
        "sweep": "sweep: {steps: *i}",
        "personas": "learners: [{id: llm, params: {personas: *i}}]",
    }[where]
    text = ALIAS_BOMB + "\n" + use + "\nsteps: 10\n"
    assert len(text.encode()) < 700
    before, peak = digest(db), _peak_kb()
    config = write(db.parent / "bomb.yaml", text)
    assert_one_line_error(invoke("run", config, "--db", db), "alias")
    assert digest(db) == before
    assert _peak_kb() - peak < 100_000


def test_deep_nesting_exits_2(db: Path) -> None:
    """A list nested 20,000 deep (a RecursionError before) is refused by the depth budget."""
    config = write(db.parent / "deep.yaml", "name: " + "[" * 20000 + "]" * 20000 + "\n")
    assert_one_line_error(invoke("run", config, "--db", db), f"deeper than {MAX_YAML_DEPTH}")


def test_a_recursive_alias_exits_2(tmp_path: Path) -> None:
    config = write(tmp_path / "rec.yaml", "name: &a [*a]\n")
    assert_one_line_error(invoke("run", config, "--db", tmp_path / "x.duckdb"), "alias")


def test_a_5000_segment_sweep_path_exits_2(tmp_path: Path) -> None:
    path = ".".join(["game"] + ["params"] * 4999)
    config = write(tmp_path / "long.yaml", tiny(sweep={path: [1, 2]}))
    assert_one_line_error(invoke("run", config, "--db", tmp_path / "x.duckdb"), "segments")


def test_a_fifo_as_config_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    fifo = tmp_path / "config.yaml"
    os.mkfifo(fifo)
    assert_one_line_error(invoke("run", fifo, "--db", tmp_path / "x.duckdb"), "config")


def test_short_repr_is_bounded_for_huge_and_deep_values() -> None:
    deep: list = []
    node = deep
    for _ in range(20000):
        node.append([])
        node = node[0]
    huge = {"x": ["lol"] * 10**6}
    for value in (deep, huge):
        message = str(ConfigError("field", value, "something small"))
        assert len(message) < 200
