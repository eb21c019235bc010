"""Chat backends: the protocol, the OpenAI-compatible HTTP client, rate limiting and caching.

A backend turns a :class:`ChatRequest` (messages, sampling settings, an optional JSON
schema for the answer, stop sequences) into the text of one assistant message, or raises
:class:`BackendError`. Backends never crash the experiment: the ``llm`` learner turns every
``BackendError`` into a recorded fallback action.

:class:`OpenAIBackend` speaks the OpenAI ``/chat/completions`` protocol over plain
``urllib`` (no client package needed) to any ``base_url``: vLLM, the llama.cpp server,
Ollama (``http://localhost:11434/v1``), OpenAI itself. The API key is read from the
environment variable named by ``api_key_env`` (never from the config). Every request has a
``timeout``; transient failures (connection refused or reset, timeouts, HTTP 429 and 5xx,
a malformed response body) are retried up to ``max_retries`` times with exponential backoff
``backoff·2^attempt`` seconds; after ``max_failures`` consecutive failed requests the
backend declares itself *down* and fails fast for the rest of the run (so an unreachable
server costs seconds, not hours). ``rate_limit`` (requests per second) spaces requests.

:class:`CachedBackend` wraps any backend with an in-memory cache keyed by
:meth:`ChatRequest.key` (a sha256 of the canonical request), so identical requests (same
messages, model, temperature and seed) are answered once. Recording and replay to JSONL
live in :mod:`.replay`; the in-process llama.cpp backend in :mod:`.local`.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol


class BackendError(Exception):
    """A backend could not produce an answer (``transient``: worth retrying)."""

    def __init__(self, message: str, transient: bool = False) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class ChatRequest:
    """One chat completion request (hashable; ``messages`` are ``(role, content)`` pairs).

    ``json_schema``: canonical JSON text of a schema the answer must follow, for backends
    that constrain decoding (llama.cpp grammars, ``response_format``); ``stop``: stop
    sequences (the stop text itself is not returned).
    """

    messages: tuple[tuple[str, str], ...]
    model: str = ""
    temperature: float = 0.0
    seed: int | None = None
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    json_schema: str | None = None

    def key(self) -> str:
        """sha256 of the canonical JSON of the request (the cache and replay key)."""
        fields = {
            "messages": self.messages,
            "model": self.model,
            "temperature": self.temperature,
            "seed": self.seed,
            "max_tokens": self.max_tokens,
            "stop": self.stop,
            "json_schema": self.json_schema,
        }
        text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def chat_messages(self) -> list[dict[str, str]]:
        """Messages in the OpenAI shape."""
        return [{"role": role, "content": content} for role, content in self.messages]


class ChatBackend(Protocol):
    """Anything that answers chat requests."""

    name: str

    def complete(self, request: ChatRequest) -> str:
        """The assistant's answer text, or raise :class:`BackendError`."""
        ...


@dataclass
class RateLimiter:
    """Spaces calls at least ``1/rate`` seconds apart (``rate=None``: no limit)."""

    rate: float | None = None
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: float = field(default=0.0, repr=False)

    def wait(self) -> None:
        """Block until the next call is allowed."""
        if not self.rate:
            return
        now = self.clock()
        if now < self._next:
            self.sleep(self._next - now)
            now = self._next
        self._next = now + 1.0 / self.rate

    def __getstate__(self) -> dict[str, Any]:
        return {"rate": self.rate, "_next": 0.0}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(rate=state["rate"])  # type: ignore[misc]


class OpenAIBackend:
    """OpenAI-compatible ``POST {base_url}/chat/completions`` over ``urllib``."""

    name = "openai"

    def __init__(
        self,
        base_url: str,
        model: str,
        *,
        api_key_env: str = "OPENAI_API_KEY",
        timeout: float = 30.0,
        max_retries: int = 2,
        backoff: float = 0.5,
        rate_limit: float | None = None,
        max_failures: int = 3,
        structured: bool = True,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.limiter = RateLimiter(rate_limit)
        self.max_failures = max_failures
        self.structured = structured
        self.sleep = sleep
        self.failures = 0
        self.last_error = ""

    @property
    def down(self) -> bool:
        """``True`` once ``max_failures`` consecutive requests failed (fail fast after)."""
        return self.failures >= self.max_failures

    def payload(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body of ``request``."""
        body: dict[str, Any] = {
            "model": request.model or self.model,
            "messages": request.chat_messages(),
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.stop:
            body["stop"] = list(request.stop)
        if request.json_schema is not None and self.structured:
            body["response_format"] = {"type": "json_object"}
        return body

    def complete(self, request: ChatRequest) -> str:
        """Post with retries and backoff; the first choice's message content."""
        if self.down:
            raise BackendError(
                f"backend {self.url} is down after {self.failures} failures: {self.last_error}"
            )
        error = BackendError("no attempt made")
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.sleep(self.backoff * 2 ** (attempt - 1))
            self.limiter.wait()
            try:
                text = self._post(request)
            except BackendError as exc:
                error = exc
                if not exc.transient:
                    break
                continue
            self.failures = 0
            return text
        self.failures += 1
        self.last_error = str(error)
        raise error

    def _post(self, request: ChatRequest) -> str:
        data = json.dumps(self.payload(request)).encode()
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        http = urllib.request.Request(self.url, data=data, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(http, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            transient = exc.code == 429 or exc.code >= 500
            raise BackendError(f"HTTP {exc.code} from {self.url}", transient) from None
        except urllib.error.URLError as exc:
            raise BackendError(f"cannot reach {self.url}: {exc.reason}", True) from None
        except (TimeoutError, ConnectionError) as exc:
            raise BackendError(f"{type(exc).__name__} talking to {self.url}", True) from None
        return extract_content(raw)


def extract_content(raw: bytes) -> str:
    """``choices[0].message.content`` of an OpenAI response body (else a transient error)."""
    try:
        body = json.loads(raw)
        content = body["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise BackendError(f"malformed response body: {raw[:120]!r}", True) from None
    if not isinstance(content, str):
        raise BackendError(f"message content is not text: {content!r}"[:160], True)
    return content


class CachedBackend:
    """Answers identical requests once (in-memory cache keyed by :meth:`ChatRequest.key`)."""

    def __init__(self, inner: ChatBackend) -> None:
        self.inner = inner
        self.name = inner.name
        self.cache: dict[str, str] = {}
        self.hits = 0

    def complete(self, request: ChatRequest) -> str:
        """The cached answer, or ask the inner backend and remember it."""
        key = request.key()
        if key in self.cache:
            self.hits += 1
            return self.cache[key]
        text = self.inner.complete(request)
        self.cache[key] = text
        return text
