"""Write ``traces.json`` from the current code (run only to pin new behaviour on purpose).

    python tests/golden/generate.py

Also (re)records ``data/llm_pd.jsonl``, the replay the LLM case reads, from a scripted
backend, when it is missing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from golden_cases import DATA, cases  # noqa: E402
from golden_trace import trace_config  # noqa: E402


def record_llm_replay() -> None:
    """Record the LLM case's answers from a deterministic scripted backend."""
    import numpy as np

    from incentive_lab.core import LearnerContext, Transition, make_game, make_learner
    from incentive_lab.learners.llm import backend_config as learner_module  # builds backends

    path = DATA / "llm_pd.jsonl"
    if path.exists():
        return
    DATA.mkdir(exist_ok=True)

    class Scripted:
        name = "scripted"

        def complete(self, request):
            text = request.messages[-1][1]
            return json.dumps({"action": (len(text) + request.seed) % 2})

    original = learner_module.OpenAIBackend
    learner_module.OpenAIBackend = lambda *a, **k: Scripted()  # type: ignore[assignment]
    try:
        for raw in [cases()["llm_replay"]]:
            from incentive_lab.experiments.config.plan import plan_runs
            from incentive_lab.experiments.execution.runner import execute_run

            backend = {"kind": "openai", "base_url": "http://127.0.0.1:9", "record": str(path)}
            live = json.loads(json.dumps(raw))
            live["learners"][0]["params"]["backend"] = backend
            for task in plan_runs(live):
                execute_run(task)
    finally:
        learner_module.OpenAIBackend = original
    del np, LearnerContext, Transition, make_game, make_learner


def main() -> None:
    record_llm_replay()
    traces = {}
    for name, raw in cases().items():
        traces[name] = trace_config(raw)
        print(name, len(traces[name]), "runs", flush=True)
    (HERE / "traces.json").write_text(json.dumps(traces, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
