"""Chat backends: the protocol, the OpenAI-compatible HTTP client, rate limiting and caching.

A backend turns a :class:`ChatRequest` (messages, sampling settings, an optional JSON
schema for the answer, stop sequences) into the text of one assistant message, or raises
:class:`BackendError`. Backends never crash the experiment: the ``llm`` learner turns every
``BackendError`` into a recorded fallback action.

:class:`OpenAIBackend` speaks the OpenAI ``/chat/completions`` protocol over plain
``urllib`` (no client package needed) to any ``base_url``: vLLM, the llama.cpp server,
Ollama (``http://localhost:11434/v1``), OpenAI itself. The API key is read from the
environment variable named by ``api_key_env`` (never from the config). Every request has a
wall-clock ``deadline`` (default :data:`DEFAULT_DEADLINE` s: connecting, headers and body
together; a watchdog shuts the socket when it passes, so a server dripping one byte at a
time cannot hold a request longer) on top of the per-read ``timeout``, and a response
larger than ``max_response_bytes`` (default :data:`DEFAULT_MAX_RESPONSE_BYTES`) is refused
without being read whole. Redirects are never followed (an API endpoint that redirects is
misconfigured). Any failure at all (transport, HTTP, a truncated, oversized, non-UTF-8 or
1,500-deep nested body) becomes a :class:`BackendError`, which the learner records as a
fallback. Transient failures (connection refused or reset, timeouts, HTTP 429 and 5xx,
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
import http.client
import json
import os
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from incentive_lab.learners.llm.deadline import Watchdog, deadline_opener

DEFAULT_DEADLINE = 60.0
"""Default wall-clock seconds of one HTTP request (connect, headers and body)."""
DEFAULT_MAX_RESPONSE_BYTES = 1_000_000
"""Default largest response body read (bytes); a chat answer is a few hundred."""
_CHUNK = 65536


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

    ``prefix`` (a *continuation* request): the beginning of the assistant's message, which
    the model continues as raw completion — the chat template applied to ``messages`` with
    the generation prompt, then ``prefix`` verbatim, then the model's next tokens (not a new
    chat turn). Only backends with ``continues = True`` accept it. ``grammar``: a GBNF
    grammar the continuation must follow (llama.cpp). Both enter :meth:`key` only when set,
    so the keys of plain requests (caches, recordings) are unchanged.
    """

    messages: tuple[tuple[str, str], ...]
    model: str = ""
    temperature: float = 0.0
    seed: int | None = None
    max_tokens: int = 256
    stop: tuple[str, ...] = ()
    json_schema: str | None = None
    prefix: str | None = None
    grammar: str | None = None

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
        if self.prefix is not None:
            fields["prefix"] = self.prefix
        if self.grammar is not None:
            fields["grammar"] = self.grammar
        text = json.dumps(fields, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def chat_messages(self) -> list[dict[str, str]]:
        """Messages in the OpenAI shape."""
        return [{"role": role, "content": content} for role, content in self.messages]


class ChatBackend(Protocol):
    """Anything that answers chat requests.

    Backends that can continue a prefix (:attr:`ChatRequest.prefix`) set a class or instance
    attribute ``continues = True``; read it with :func:`continues` (absent means no).
    """

    name: str

    def complete(self, request: ChatRequest) -> str:
        """The assistant's answer text, or raise :class:`BackendError`."""
        ...


def continues(backend: object) -> bool:
    """Whether ``backend`` accepts continuation requests (``ChatRequest.prefix``)."""
    return bool(getattr(backend, "continues", False))


CHATML = "chatml"
"""The ChatML template (``<|im_start|>role\ncontent<|im_end|>\n``; SmolLM2, Qwen, …)."""


def chatml_prompt(messages: tuple[tuple[str, str], ...], prefix: str = "") -> str:
    """``messages`` in ChatML with the assistant's generation prompt, then ``prefix``."""
    turns = "".join(f"<|im_start|>{role}\n{content}<|im_end|>\n" for role, content in messages)
    return f"{turns}<|im_start|>assistant\n{prefix}"


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
    """OpenAI-compatible ``POST {base_url}/chat/completions`` over ``urllib``.

    With ``completion_template="chatml"`` the backend also *continues* prefixes: a request
    with a ``prefix`` goes to the legacy ``POST {base_url}/completions`` endpoint with
    ``prompt`` = the messages in ChatML + the generation prompt + the prefix (and the
    request's GBNF ``grammar``, a llama.cpp-server field), under the same deadline, size cap
    and retries; the answer is ``choices[0].text``. Without a template the backend does not
    continue (the chat template of a remote model is unknown).
    """

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
        deadline: float = DEFAULT_DEADLINE,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        completion_template: str | None = None,
    ) -> None:
        self.url = base_url.rstrip("/") + "/chat/completions"
        self.completions_url = base_url.rstrip("/") + "/completions"
        self.completion_template = completion_template
        self.continues = completion_template == CHATML
        self.model = model
        self.api_key_env = api_key_env
        self.timeout = timeout
        self.max_retries = max_retries
        self.backoff = backoff
        self.limiter = RateLimiter(rate_limit)
        self.max_failures = max_failures
        self.structured = structured
        self.sleep = sleep
        self.deadline = deadline
        self.max_response_bytes = max_response_bytes
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

    def completion_payload(self, request: ChatRequest) -> dict[str, Any]:
        """The JSON body of a continuation ``request`` (legacy completions endpoint)."""
        body: dict[str, Any] = {
            "model": request.model or self.model,
            "prompt": chatml_prompt(request.messages, request.prefix or ""),
            "temperature": request.temperature,
            "max_tokens": request.max_tokens,
        }
        if request.seed is not None:
            body["seed"] = request.seed
        if request.stop:
            body["stop"] = list(request.stop)
        if request.grammar is not None:
            body["grammar"] = request.grammar
        return body

    def complete(self, request: ChatRequest) -> str:
        """Post with retries and backoff; the first choice's message content (or text)."""
        if request.prefix is not None and not self.continues:
            raise BackendError("this openai backend cannot continue a prefix (no template)")
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
            except Exception as exc:  # anything else a hostile server provokes: a fallback
                error = BackendError(f"{type(exc).__name__} talking to {self.url}: {exc}"[:300])
                break
            self.failures = 0
            return text
        self.failures += 1
        self.last_error = str(error)
        raise error

    def _post(self, request: ChatRequest) -> str:
        continuation = request.prefix is not None
        url = self.completions_url if continuation else self.url
        body = self.completion_payload(request) if continuation else self.payload(request)
        data = json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        key = os.environ.get(self.api_key_env)
        if key:
            headers["Authorization"] = f"Bearer {key}"
        req = urllib.request.Request(url, data=data, headers=headers, method="POST")
        watchdog = Watchdog(self.deadline)
        opener = deadline_opener(watchdog)
        watchdog.start()
        try:
            with opener.open(req, timeout=min(self.timeout, self.deadline)) as response:
                raw = self._read(response, watchdog)
        except BackendError:
            raise
        except urllib.error.HTTPError as exc:
            if 300 <= exc.code < 400:
                raise BackendError(f"HTTP {exc.code} redirect from {url} not followed") from None
            transient = exc.code == 429 or exc.code >= 500
            raise BackendError(f"HTTP {exc.code} from {url}", transient) from None
        except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
            if watchdog.expired:
                raise BackendError(self._late(), True) from None
            reason = getattr(exc, "reason", None) or f"{type(exc).__name__} {exc}".strip()
            raise BackendError(f"cannot reach {url}: {reason}"[:300], True) from None
        finally:
            watchdog.cancel()
        if watchdog.expired:
            raise BackendError(self._late(), True)
        return extract_text(raw) if continuation else extract_content(raw)

    def _late(self) -> str:
        return f"no complete answer from {self.url} within the {self.deadline:g} s deadline"

    def _read(self, response: Any, watchdog: Watchdog) -> bytes:
        """The body, at most ``max_response_bytes`` (checked before and while reading)."""
        limit = self.max_response_bytes
        length = response.headers.get("Content-Length", "")
        if length.strip().isdigit() and int(length) > limit:
            raise BackendError(f"response of {int(length)} bytes exceeds {limit} bytes")
        chunks: list[bytes] = []
        size = 0
        while not watchdog.expired:
            chunk = response.read(_CHUNK)
            if not chunk:
                break
            size += len(chunk)
            if size > limit:
                raise BackendError(f"response longer than {limit} bytes")
            chunks.append(chunk)
        if length.strip().isdigit() and size < int(length) and not watchdog.expired:
            raise BackendError(f"IncompleteRead: body of {size} of {int(length)} bytes", True)
        return b"".join(chunks)


def extract_content(raw: bytes) -> str:
    """``choices[0].message.content`` of an OpenAI response body (else a transient error)."""
    try:
        body = json.loads(raw)
        content = body["choices"][0]["message"]["content"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        raise BackendError(f"malformed response body: {raw[:120]!r}", True) from None
    if not isinstance(content, str):
        raise BackendError(f"message content is not text: {type(content).__name__}", True)
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate escape ("\\udc80") is not text
        raise BackendError("message content is not valid Unicode text", True) from None
    return content


def extract_text(raw: bytes) -> str:
    """``choices[0].text`` of a legacy completions body (else a transient error)."""
    try:
        content = json.loads(raw)["choices"][0]["text"]
    except (ValueError, KeyError, IndexError, TypeError, RecursionError):
        raise BackendError(f"malformed completion body: {raw[:120]!r}", True) from None
    if not isinstance(content, str):
        raise BackendError(f"completion text is not text: {type(content).__name__}", True)
    try:
        content.encode("utf-8")
    except UnicodeEncodeError:
        raise BackendError("completion text is not valid Unicode text", True) from None
    return content


class CachedBackend:
    """Answers identical requests once (in-memory cache keyed by :meth:`ChatRequest.key`)."""

    def __init__(self, inner: ChatBackend) -> None:
        self.inner = inner
        self.name = inner.name
        self.continues = continues(inner)
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
