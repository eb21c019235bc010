"""The recommender's LLM user simulator (``user_model: {kind: llm}``) with a scripted chat.

The prompt by hand (persona, history titles, numbered slate), strict answers and hostile
ones, panel users deciding by the model while everyone else keeps the logit choice of the
same round, fallbacks to the logit choice counted in the round metrics, histories from
MovieLens training ratings and from played clicks, and the default leaving stored params
(and so run ids) unchanged.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from incentive_lab.core import ConfigError, make_game, make_rng
from incentive_lab.core.chat import ChatError
from incentive_lab.games.recommender import llm_users as lu

REPLAY = {"kind": "replay", "path": None}
GAME = {"data": "movielens100k", "n_users": 12, "n_items": 30, "agents_choose": "items"}
FITTED = {**GAME, "preferences": "fitted", "drift": 0.0}


class ScriptedChat:
    """Answers ``script(messages)``; ``None`` raises ChatError."""

    name = "scripted"

    def __init__(self, script):
        self.script = script
        self.asked = []

    def ask(self, messages, *, json_schema=None, max_tokens=64, seed=None):
        self.asked.append((list(messages), json_schema, seed))
        answer = self.script(messages)
        if answer is None:
            raise ChatError("scripted failure")
        return answer


def build(script, params=GAME, **users):
    model = {"kind": "llm", "backend": REPLAY, "panel": 3, **users}
    game = make_game("recommender", {**params, "n_agents": 1, "user_model": model})
    chat = ScriptedChat(script)
    game.user_model.chat = chat
    game.reset(make_rng(1))
    return game, chat


def test_prompt_by_hand():
    chat = lu.messages("Loves <persona>westerns</persona>.", ["Fargo (1996) [Crime]"], ["A", "B"])
    system, user = chat[0][1], chat[1][1]
    assert "<persona>\nLoves westerns.\n</persona>" in system  # markers stripped from the text
    assert '{"click": i} where i is an item number from 0 to 1, or {"click": null}' in system
    assert user == (
        "Items you clicked recently (oldest first):\n- Fargo (1996) [Crime]\n\n"
        "Recommended now:\n0: A\n1: B\n\nYour choice?"
    )
    assert lu.messages("", [], ["A"])[1][1].startswith("You have not clicked anything yet.")
    assert lu.DEFAULT_PERSONA in lu.messages("", [], ["A"])[0][1]


@pytest.mark.parametrize(
    ("answer", "click"),
    [('{"click": 2}', 2), ('{"click": null}', -1), ('```json\n{"click": 0}\n```', 0)],
)
def test_valid_answers(answer, click):
    assert lu.parse_click(answer, 3) == (click, "")


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "I click the second one",
        '{"click": 3}',
        '{"click": -1}',
        '{"click": true}',
        '{"click": 1.0}',
        '{"click": "1"}',
        '{"click": [1]}',
        '{"click": 1, "reason": "nice"}',
        '{"click": 1, "click": 2}',
        '{"click": 1} {"click": 2}',
        "{}",
        "[" * 1500 + "]" * 1500,
        '{"click": 1}' + " " * 5000,
    ],
)
def test_hostile_answers_are_rejected(answer):
    click, error = lu.parse_click(answer, 3)
    assert click is None and error


def test_schema_allows_each_slot_or_null():
    schema = lu.click_schema(3)
    assert schema["properties"]["click"] == {"enum": [0, 1, 2, None]}
    assert schema["additionalProperties"] is False


def logit_clicks(seed_game_params, actions):
    game = make_game("recommender", {**seed_game_params, "n_agents": 1})
    game.reset(make_rng(1))
    game.step(actions)
    return game.played.users.copy(), game.last_clicked.copy()


def test_panel_users_click_by_the_model_and_everyone_else_by_the_logit_choice():
    game, chat = build(lambda m: '{"click": 2}')
    users, logit = logit_clicks(GAME, np.array([1]))
    result = game.step(np.array([1]))  # everyone gets the popular slate
    assert (game.played.users == users).all()
    panel = users < 3
    assert panel.any() and (~panel).any()
    assert (game.last_clicked[panel] == 2).all()
    assert (game.last_clicked[~panel] == logit[~panel]).all()  # same round, same draws
    metrics = result.info["metrics"]
    assert metrics["llm_user_decisions"] == panel.sum() == metrics["llm_user_requests"]
    assert metrics["llm_user_fallbacks"] == 0 and metrics["llm_user_ctr"] == 1.0
    seeds = [seed for _, _, seed in chat.asked]
    assert seeds == [int(u * 2**31) for u in game.played.choice_uniforms[panel]]
    assert json.loads(chat.asked[0][1]) == lu.click_schema(game.params.slate_size)


def test_skips_and_fallbacks_are_counted_and_keep_the_logit_choice():
    answers = iter(['{"click": null}', "no idea", "still no idea", None] * 10)
    game, _ = build(lambda m: next(answers))
    users, logit = logit_clicks(GAME, np.array([1]))
    result = game.step(np.array([1]))
    panel = np.flatnonzero(users < 3)
    assert game.last_clicked[panel[0]] == -1  # the model skipped
    assert (game.last_clicked[panel[1:]] == logit[panel[1:]]).all()  # fallbacks: logit
    m = result.info["metrics"]
    assert m["llm_user_fallbacks"] == len(panel) - 1
    assert m["llm_user_parse_failures"] == 2 and m["llm_user_reasks"] == 1
    assert m["llm_user_backend_errors"] == (1 if len(panel) > 2 else 0)
    records = game.user_model.transcripts
    assert records[0]["click"] == -1 and not records[0]["fallback"]
    assert records[1]["fallback"] and records[1]["errors"][0].startswith("parse:")


def test_fitted_users_read_their_training_history_then_their_clicks():
    game, chat = build(lambda m: '{"click": 0}', params=FITTED, history=3)
    labels = game.slate_choice.item_labels()
    data = game.user_model.data_history
    assert set(data) == {0, 1, 2} and all(len(h) <= 3 for h in data.values())
    game.step(np.array([1]))
    panel = game.played.users[game.played.users < 3].tolist()
    first = dict(zip(panel, _asked(chat), strict=True))
    slot = min(first)
    assert "\n".join(f"- {labels[i]}" for i in data[slot]) in first[slot]
    clicked = int(game.last_slates[list(game.played.users).index(slot), 0])
    chat.asked.clear()
    game.step(np.array([1]))
    again = dict(zip(game.played.users[game.played.users < 3].tolist(), _asked(chat), strict=True))
    assert slot in again  # (seeded: the same user is served again)
    history = again[slot].split("\n\nRecommended now:")[0]
    assert history.endswith(f"- {labels[clicked]}")  # the played click, most recent


def _asked(chat):
    return [messages[1][1] for messages, _, _ in chat.asked]


def test_default_is_the_logit_model_and_leaves_stored_params_unchanged():
    game = make_game("recommender", {"n_users": 10, "n_items": 20})
    assert "user_model" not in game.params.model_dump(mode="json")
    assert isinstance(game.user_model, lu.LogitUsers)
    llm = make_game(
        "recommender",
        {"n_users": 10, "n_items": 20, "user_model": {"kind": "llm", "backend": REPLAY}},
    )
    assert llm.params.model_dump(mode="json")["user_model"]["panel"] == 4


@pytest.mark.parametrize(
    ("value", "match"),
    [
        ("llm", r"game\.params\.user_model: got 'llm'; 'logit', or a mapping"),
        ({"kind": "llm"}, r"game\.params\.user_model: .*backend: Field required"),
        ({"kind": "llm", "backend": REPLAY, "panel": 0}, r"panel: Input should be greater"),
        ({"kind": "llm", "backend": {"kind": "nope"}}, r"user_model\.backend\.kind: got 'nope'"),
        ({"kind": "llm", "backend": {"kind": "replay", "path": "/no/file"}}, r"backend\.path"),
    ],
)
def test_bad_user_models_are_one_line_config_errors(value, match):
    with pytest.raises(ConfigError, match=match) as error:
        make_game("recommender", {"n_users": 10, "n_items": 20, "user_model": value})
    assert "\n" not in str(error.value)


def test_user_model_cannot_change_mid_run_but_other_rules_can():
    game, chat = build(lambda m: '{"click": 1}')
    game.reconfigure(beta=3.0)  # a phase changing another rule keeps the simulator
    game.step(np.array([1]))
    assert chat.asked
    game.reconfigure(user_model="logit")
    with pytest.raises(ConfigError, match=r"game\.params\.user_model: got 'logit'; cannot change"):
        game.step(np.array([1]))
    plain = make_game("recommender", {"n_users": 10, "n_items": 20})
    plain.reconfigure(user_model={"kind": "llm", "backend": REPLAY})
    with pytest.raises(ConfigError, match="cannot change mid-run"):
        plain.step(np.array([1] * plain.n_agents))
