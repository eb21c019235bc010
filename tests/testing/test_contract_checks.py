"""The public contract checks catch what they promise to catch, with one clear message."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from incentive_lab.core import Adjustment, Learner, Mechanism, Params, StepResult
from incentive_lab.testing import ContractError, check_game, check_learner, check_mechanism
from incentive_lab.testing.toy_games import PDPairsParams, PrisonersDilemmaPairs


class Uniform(Learner[Params]):
    """Uniformly random actions from its own generator: a correct learner."""

    def act(self, obs: Any) -> Any:
        return self.rng.integers(0, self.context.n_actions, self.n_agents)

    def update(self, transition: Any) -> dict[str, float]:
        return {}


class FloatActions(Uniform):
    def act(self, obs: Any) -> Any:
        return super().act(obs).astype(np.float64)


class Unseeded(Uniform):
    def act(self, obs: Any) -> Any:
        return np.random.default_rng().integers(0, self.context.n_actions, self.n_agents)


class Resettable(Uniform):
    def reset(self) -> None:
        """Nothing calls this."""


class Deterministic(Uniform):
    def act(self, obs: Any) -> Any:
        return np.zeros(self.n_agents, dtype=np.int64)


@pytest.mark.parametrize(
    ("factory", "check"),
    [
        (FloatActions, "act and update @ testing/random_rewards(n_agents=5)"),
        (Unseeded, "seeded reproducibility"),
        (Resettable, "lifelong"),
        (Deterministic, "different seeds differ"),
    ],
)
def test_check_learner_catches(factory, check):
    with pytest.raises(ContractError) as caught:
        check_learner(factory, Params(), steps=12)
    assert isinstance(caught.value, AssertionError)
    assert caught.value.check == check
    assert str(caught.value).startswith(f"learner {factory.__qualname__!r}: {check}: ")


def test_check_learner_passes_a_correct_learner_and_honours_declarations():
    report = check_learner(Deterministic, Params(), metadata={"stochastic": False}, steps=12)
    assert "seeded reproducibility" in report.checks and "pickle round trip" in report.checks
    assert report.exemptions == {"different seeds differ": "declared stochastic=False"}
    with pytest.raises(ContractError, match="policy declaration"):
        check_learner(Uniform, Params(), metadata={"has_policy": True}, steps=12)


class Overcharging(Mechanism[Params]):
    def adjust(self, game: Any, actions: Any, rewards: Any, info: Any) -> Adjustment:
        out = Adjustment.payments(rewards, np.ones_like(rewards))
        return Adjustment(out.shaped_rewards, out.transfers, out.cost + 1.0)


class Counting(Mechanism[Params]):
    def __init__(self, params: Params, game: Any, rng: Any) -> None:
        super().__init__(params, game, rng)
        self.count = 0

    def adjust(self, game: Any, actions: Any, rewards: Any, info: Any) -> Adjustment:
        self.count += 1
        return Adjustment.shaping(rewards + self.count)


class InPlace(Mechanism[Params]):
    def adjust(self, game: Any, actions: Any, rewards: Any, info: Any) -> Adjustment:
        rewards *= 2.0
        return Adjustment.shaping(rewards)


@pytest.mark.parametrize(
    ("factory", "metadata", "check"),
    [
        (Overcharging, {"pays": True}, "accounting @ testing/pd_pairs(n_copies=5)"),
        (Overcharging, {"pays": False}, "accounting @ testing/pd_pairs(n_copies=5)"),
        (Counting, {"stateless": True}, "stateless @ testing/pd_pairs(n_copies=5)"),
        (InPlace, {}, "inputs untouched @ testing/pd_pairs(n_copies=5)"),
    ],
)
def test_check_mechanism_catches(factory, metadata, check):
    with pytest.raises(ContractError) as caught:
        check_mechanism(factory, Params(), metadata=metadata)
    assert caught.value.check == check


def test_check_mechanism_passes_a_stateful_mechanism_that_declares_it():
    report = check_mechanism(Counting, Params(), metadata={"stateless": False})
    assert "pickle round trip @ testing/coupled_random()" in report.checks


class Lenient(PrisonersDilemmaPairs):
    """Accepts any joint action."""

    def step(self, actions: Any) -> Any:
        return super().step(np.clip(np.resize(actions, self.n_agents), 0, 1))


class Inconsistent(PrisonersDilemmaPairs):
    """``step`` pays 0.5 less than ``rewards_for`` says."""

    def step(self, actions: Any) -> Any:
        result = super().step(actions)
        return StepResult(result.obs, result.rewards - 0.5)


@pytest.mark.parametrize(
    ("game", "check"),
    [
        (Lenient(PDPairsParams(n_copies=2)), "bad actions rejected"),
        (Inconsistent(PDPairsParams(n_copies=2)), "counterfactuals agree with the step"),
    ],
)
def test_check_game_catches(game, check):
    with pytest.raises(ContractError) as caught:
        check_game(game, mechanisms=())
    assert caught.value.check == check


def test_check_game_on_an_instance_and_through_pettingzoo():
    report = check_game(PrisonersDilemmaPairs(PDPairsParams(n_copies=2)), mechanisms=("none",))
    assert "pettingzoo api_test with none" in report.checks
