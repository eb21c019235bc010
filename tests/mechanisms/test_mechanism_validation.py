"""Bad parameters raise ConfigError naming the field, the value and what is allowed."""

from __future__ import annotations

import numpy as np
import pytest

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.registry import make_mechanism


@pytest.mark.parametrize(
    ("mechanism_id", "params", "field"),
    [
        ("action_tax", {"taxes": [1.0]}, "mechanism.params.taxes"),
        ("action_tax", {"taxes": [0.0, 1.0, 2.0]}, "mechanism.params.taxes"),
        ("action_tax", {}, "mechanism.params.taxes"),  # required
        ("action_tax", {"taxes": [0.0, float("nan")]}, "mechanism.params.taxes.1"),
        ("difference_rewards", {"default_action": 2}, "mechanism.params.default_action"),
        ("difference_rewards", {"default_action": -1}, "mechanism.params.default_action"),
        ("pigouvian_tax", {"default_action": 5}, "mechanism.params.default_action"),
        ("pigouvian_tax", {"scale": -0.1}, "mechanism.params.scale"),
        ("inequity_aversion", {"alpha": -1.0}, "mechanism.params.alpha"),
        ("inequity_aversion", {"beta": -0.5}, "mechanism.params.beta"),
        ("svo", {"angle": 270.0}, "mechanism.params.angle"),
        ("mutual_welfare", {"kind": "geometric"}, "mechanism.params.kind"),
        ("team_reward", {"normalize": True}, "mechanism.params.normalize"),
    ],
)
def test_bad_parameters_name_the_field(pd_game, mechanism_id, params, field):
    with pytest.raises(ConfigError) as error:
        make_mechanism(mechanism_id, params, pd_game(2), np.random.default_rng(0))
    assert error.value.field == field
    assert str(error.value).startswith(f"{field}: got ")


def test_taxes_length_message_says_what_is_allowed(pd_game):
    with pytest.raises(ConfigError, match=r"taxes: got \[1\.0\]; one tax per action.*length 2"):
        make_mechanism("action_tax", {"taxes": [1.0]}, pd_game(1), None)


def test_reconfigure_changes_the_tax_and_revalidates(pd_game):
    game = pd_game(1)
    mechanism = make_mechanism("action_tax", {"taxes": [0.0, 1.0]}, game, None)
    actions = np.array([1, 1])
    rewards = game.rewards_for(actions)
    assert mechanism.adjust(game, actions, rewards, {}).shaped_rewards.tolist() == [0.0, 0.0]
    mechanism.reconfigure(taxes=[0.0, 3.0])
    assert mechanism.adjust(game, actions, rewards, {}).shaped_rewards.tolist() == [-2.0, -2.0]
    with pytest.raises(ConfigError, match=r"mechanism\.params\.taxes"):
        mechanism.reconfigure(taxes=[0.0])


def test_reconfigure_revalidates_default_action(pd_game):
    mechanism = make_mechanism("difference_rewards", {}, pd_game(1), None)
    with pytest.raises(ConfigError, match=r"default_action: got 3; an action of the game: 0\.\.1"):
        mechanism.reconfigure(default_action=3)


def test_rejected_reconfigure_keeps_the_previous_parameters(pd_game):
    game = pd_game(1)
    mechanism = make_mechanism("action_tax", {"taxes": [0.0, 3.0]}, game, None)
    with pytest.raises(ConfigError):
        mechanism.reconfigure(taxes=[1.0, 2.0, 3.0])
    assert mechanism.params.taxes == [0.0, 3.0]
    actions = np.array([1, 0])
    out = mechanism.adjust(game, actions, game.rewards_for(actions), {})
    assert out.shaped_rewards.tolist() == [2.0, 0.0]
