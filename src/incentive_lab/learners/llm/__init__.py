"""LLM agents: chat backends, prompts, strict parsing, GTAlign reasoning and the ``llm`` learner.

Modules: :mod:`.backends` (protocol, OpenAI-compatible HTTP, rate limit, cache),
:mod:`.local` (llama-cpp-python, imported lazily), :mod:`.replay` (JSONL record/replay),
:mod:`.prompts`, :mod:`.parsing` (strict answer parser, re-ask), :mod:`.gtalign` (four
blocks, Pareto / Cobb-Douglas / sum choices, payoff steering), :mod:`.learner` (``llm``),
:mod:`.chat` (the backends as ``core.chat``'s provider, used by the recommender game's LLM
user simulator and ``recsys_llm``).
Importing this package registers ``llm`` without importing any LLM client library.
"""

from incentive_lab.learners.llm import chat, learner

__all__ = ["chat", "learner"]
