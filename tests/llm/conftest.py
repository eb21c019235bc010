"""LLM tests: the ``llm`` marker (real-model tier) and a scripted in-process backend."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from incentive_lab.learners.llm.backends import BackendError, ChatRequest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "llm: runs a real model through llama-cpp-python")


class ScriptedBackend:
    """Answers with ``script(request)``; raises BackendError when it returns None."""

    name = "scripted"

    def __init__(self, script: Callable[[ChatRequest], str | None]) -> None:
        self.script = script
        self.requests: list[ChatRequest] = []

    def complete(self, request: ChatRequest) -> str:
        self.requests.append(request)
        answer = self.script(request)
        if answer is None:
            raise BackendError("scripted failure")
        return answer
