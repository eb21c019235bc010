"""The three user_assistant runs of the recording ``data/gtalign_dialogue.jsonl``.

The recording holds the answers of a *scripted, calibrated* assistant
(:func:`calibrated_answer`: its payoff block is the rubric's table and its analysis names the
best cell for the objective it is given), not of a real model — it pins the pipeline (game,
two-stage GTAlign prompts, raw continuation, best-of-n, mechanisms, metrics) deterministically.
``data/gtalign_dialogue_smollm2.jsonl`` holds the same three runs cut to one round of four
conversations, recorded from SmolLM2-135M-Instruct (local backend, 2026-12-05): it answered
AQ every time under both objectives. ``test_real_steering.py`` measures it live.

``llm_objective``: the assistant's analysis looks for the outcome best for itself (welfare
rule ``llm``; what mechanism ``none`` rewards); ``mutual_objective``: best for both sides
(``cobb_douglas``; what ``mutual_welfare`` rewards); ``best_of_3``: the mutual objective
with three samples at temperature 0.8, the best kept by the rubric's √(U·L). Each decision
is two raw completions (the model's thinking and payoff block under a GBNF grammar, then its
analysis and response after the unchanged — zero-steered — payoff block, under the ``cell``
grammar). ``history: 0`` keeps every prompt independent of rewards, so the recording serves
every mechanism.
"""

from __future__ import annotations

from typing import Any

STEPS = 3
N_COPIES = 4


def configs(backend: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Experiment configs of the three runs with ``backend`` (its ``kind`` and paths)."""

    def run(name: str, mechanism: str, welfare: str, **extra: Any) -> dict[str, Any]:
        temperature = extra.pop("temperature", 0.0)
        params = {
            "backend": {**backend, "seed": 1, "temperature": temperature, "n_ctx": 2048},
            "reasoning": "gtalign",
            "payoff_schema": "gtalign",
            "welfare": welfare,
            "steering": [0.0, 0.0, 0.0],
            "continuation_grammar": "cell",
            "history": 0,
            "gtalign_max_tokens": 256,
            "max_reasks": 0,
            "transcript_limit": 1000,
            **extra,
        }
        return {
            "name": f"gtalign-{name}",
            "game": {"id": "user_assistant", "params": {"n_copies": N_COPIES}},
            "mechanism": {"id": mechanism},
            "learners": [{"id": "llm", "params": params}],
            "steps": STEPS,
            "seeds": 1,
            "record_every": 1,
        }

    return {
        "llm_objective": run("llm-objective", "none", "llm"),
        "mutual_objective": run("mutual-objective", "mutual_welfare", "cobb_douglas"),
        "best_of_3": run(
            "best-of-3", "mutual_welfare", "cobb_douglas", best_of_n=3, temperature=0.8
        ),
    }


def calibrated_answer(request: Any) -> str:
    """A scripted assistant whose payoff block is the rubric's table (for the recording).

    Stage 1 (stopped at ``</payoff>``): thinking + the rubric's U ("user") and L ("LLM") of
    the user's persona for both question types. Stage 2 (a continuation of the prefix): the
    cell of the question's row that is best for the objective named in the system prompt
    — L alone ("you (LLM)") or √(U·L) ("both sides"); with a sampling temperature > 0 the
    ``seed``-th sample instead names strategy ``seed mod 3`` (diverse samples for best-of-n).
    """
    import json

    import numpy as np

    from incentive_lab.core import dialogue_rubric as rubric

    text = request.messages[1][1]
    question = 1 if "question is ambiguous" in text else 0
    persona = next(k for k, p in enumerate(rubric.PERSONAS) if f"user is {p}" in text)
    user, llm = rubric.welfare_tables()
    if request.prefix is None:
        cells = {}
        for q, row in enumerate(rubric.ROWS):
            state = rubric.state_index(q, persona)
            for s, name in enumerate(rubric.STRATEGIES):
                cells[f"{row}_{name}"] = {
                    "LLM": round(float(llm[state, s]), 4),
                    "user": round(float(user[state, s]), 4),
                }
        return (
            f"<thinking>Score each strategy for this user.</thinking>\n<payoff>{json.dumps(cells)}"
        )
    state = rubric.state_index(question, persona)
    if request.temperature > 0:
        choice = int(request.seed) % 3
    elif "best for you (LLM)" in request.messages[0][1]:
        choice = int(np.argmax(llm[state]))
    else:
        choice = int(np.argmax(rubric.mutual_welfare(user[state], llm[state])))
    cell = f"{rubric.ROWS[question]}_{rubric.STRATEGIES[choice]}"
    return (
        f"<analysis>The best outcome for the objective is {cell}.</analysis>\n"
        f'<response>{{"action": {choice}}}</response>'
    )


def record(path: str) -> None:
    """Write the recording: the three runs against :func:`calibrated_answer`.

    ``python -c "from tests.llm.gtalign_dialogue_configs import record; record(...)"``.
    """
    from incentive_lab.experiments import execute_run, plan_runs
    from incentive_lab.learners.llm import backend_config

    class Calibrated:
        name = "calibrated"
        continues = True

        def complete(self, request: Any) -> str:
            return calibrated_answer(request)

    original = backend_config.LocalBackend
    backend_config.LocalBackend = lambda *a, **k: Calibrated()  # type: ignore[assignment,misc]
    try:
        for config in configs({"kind": "local", "record": path}).values():
            for task in plan_runs(config):
                execute_run(task)
    finally:
        backend_config.LocalBackend = original  # type: ignore[misc]
