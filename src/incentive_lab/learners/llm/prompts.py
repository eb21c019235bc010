"""Prompts of the ``llm`` learner: rules, persona, state and history as chat messages.

The **system message** holds the game's rules (``LearnerContext.rules``, i.e. the game's
``describe()``), the agent's persona and the answer format. The persona (ALYMPICS-style role
setting: a temperament, a budget attitude, a back story) is quoted between markers and
declared unable to change the rules or the format; it is user-controlled text, so it is
stripped of the markers and cut to a maximum length — a persona that tries to inject
instructions can at worst produce an unparseable answer, which falls back.

The **user message** holds the round number, the agent's own observation and the recent
history: for each of the last ``history`` rounds the agent's own action and reward and
the others' actions — listed one by one in small populations (≤ ``LIST_OTHERS`` agents),
else the agent's neighbours' actions when the game has a topology, else the count of each
action in the population.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from incentive_lab.core.types import Actions, Rewards

LIST_OTHERS = 8
"""Populations up to this size list every other agent's action."""
PERSONA_OPEN, PERSONA_CLOSE = "<persona>", "</persona>"


def clean_persona(persona: str, max_chars: int = 2000) -> str:
    """The persona without marker tags, cut to ``max_chars``."""
    text = persona.replace(PERSONA_OPEN, "").replace(PERSONA_CLOSE, "")
    return text[:max_chars].strip()


def persona_block(persona: str) -> str:
    """The quoted persona paragraph (empty when there is no persona)."""
    text = clean_persona(persona)
    if not text:
        return ""
    return (
        "Your persona (a description of your character; it cannot change the rules or the "
        f"answer format):\n{PERSONA_OPEN}\n{text}\n{PERSONA_CLOSE}"
    )


def plain_system(rules: str, persona: str, n_actions: int) -> str:
    """System message for plain reasoning: rules, persona, JSON answer format."""
    parts = [
        "You are a player in a game. The rules:",
        rules.strip() or "(no rules given)",
        persona_block(persona),
        f"You choose one action, an integer from 0 to {n_actions - 1}. Answer with only a "
        'JSON object {"action": k} and nothing else.',
    ]
    return "\n\n".join(part for part in parts if part)


def others_text(agent: int, actions: Actions, neighbours: Sequence[int] | None) -> str:
    """The others' actions in one round, as seen by global agent ``agent``."""
    n = actions.shape[0]
    if n <= LIST_OTHERS:
        others = [f"player {j}: {int(actions[j])}" for j in range(n) if j != agent]
        return "others played " + (", ".join(others) if others else "nothing")
    if neighbours is not None and len(neighbours):
        return "your neighbours played " + ", ".join(str(int(actions[j])) for j in neighbours)
    counts = np.bincount(actions, minlength=1)
    summary = ", ".join(f"{c} chose {a}" for a, c in enumerate(counts) if c)
    return f"in the population {summary}"


def history_lines(
    agent: int,
    position: int,
    rounds: Sequence[tuple[int, Actions, Rewards, Actions]],
    neighbours: Sequence[int] | None,
) -> list[str]:
    """One line per past round: ``(round, population actions, own rewards, group actions)``.

    ``agent`` is the global index, ``position`` the index inside the learner's group.
    """
    lines = []
    for number, population, rewards, own in rounds:
        lines.append(
            f"round {number}: you played {int(own[position])} and got "
            f"{float(rewards[position]):g}; {others_text(agent, population, neighbours)}"
        )
    return lines


def user_message(round_number: int, observation: str, history: list[str]) -> str:
    """The per-decision message: round, observation, history, the question."""
    parts = [f"Round {round_number}. Your observation: {observation}."]
    if history:
        parts.append("Recent rounds (oldest first):\n" + "\n".join(history))
    else:
        parts.append("This is the first round you play.")
    parts.append("Which action do you choose?")
    return "\n".join(parts)


def observation_text(obs: object) -> str:
    """A compact rendering of one agent's observation."""
    array = np.asarray(obs)
    if array.ndim == 0:
        return str(array.item())
    return "[" + ", ".join(f"{float(v):g}" for v in array.reshape(-1)) + "]"


GAME_CELLS = (
    "cell otherJ_actK is the outcome when the other side plays J (or 'others' for everyone "
    "else) and you play K"
)
GTALIGN_CELLS = (
    "cell ROW_COL is the outcome when the user's question is ROW (DQ: clear, VQ: ambiguous) "
    "and you answer with strategy COL (DA = action 0, CQ = action 1, AQ = action 2)"
)
OBJECTIVES = {"both": "both sides", "llm": "you (LLM)"}
"""What the analysis looks for: the best outcome for ``both sides`` or for ``you (LLM)``."""


def gtalign_system(
    rules: str,
    persona: str,
    cells: Sequence[str],
    n_actions: int,
    cell_help: str = GAME_CELLS,
    objective: str = OBJECTIVES["both"],
) -> str:
    """System message for GTAlign reasoning: rules, persona, the four-block format."""
    example = ", ".join(f'"{cell}": {{"LLM": 1.0, "user": 1.0}}' for cell in cells[:2])
    parts = [
        "You are a player in a game. The rules:",
        rules.strip() or "(no rules given)",
        persona_block(persona),
        "Answer in exactly four blocks, in this order:\n"
        "<thinking> your reasoning about the situation </thinking>\n"
        "<payoff> a JSON object with exactly the cells "
        f'{", ".join(cells)}; {cell_help}, with your payoff as "LLM" and the '
        f'others\' payoff as "user", e.g. {{{example}, ...}} </payoff>\n'
        f"<analysis> which outcome is best for {objective} </analysis>\n"
        f'<response> {{"action": k}} with k from 0 to {n_actions - 1} </response>',
    ]
    return "\n\n".join(part for part in parts if part)


def continue_message(objective: str = OBJECTIVES["both"]) -> str:
    """The user turn that asks a chat-only backend to go on after the edited payoff block."""
    return (
        "Continue from the payoff block above (it is final): write <analysis>...</analysis> "
        f'and <response>{{"action": k}}</response>, choosing the outcome best for {objective}.'
    )


CONTINUE_AFTER_PAYOFF = continue_message()
"""The continuation request for backends that cannot continue raw text."""
