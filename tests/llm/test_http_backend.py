"""The OpenAI-compatible backend against a fake server on 127.0.0.1 (no network)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from incentive_lab.learners.llm.backends import (
    BackendError,
    CachedBackend,
    ChatRequest,
    OpenAIBackend,
    RateLimiter,
)

REQUEST = ChatRequest(messages=(("user", "pick"),), seed=3, json_schema="{}")


def reply(content: str) -> bytes:
    return json.dumps(
        {"choices": [{"message": {"role": "assistant", "content": content}}]}
    ).encode()


class FakeServer:
    """Serves queued behaviours: ok text | status code | raw bytes | sleep seconds."""

    def __init__(self) -> None:
        self.script: list[tuple[str, object]] = []
        self.bodies: list[dict] = []
        self.headers: list[dict] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers["Content-Length"])
                server.bodies.append(json.loads(self.rfile.read(length)))
                server.headers.append(dict(self.headers))
                kind, value = server.script.pop(0) if server.script else ("ok", '{"action": 0}')
                if kind == "sleep":
                    time.sleep(float(value))
                    kind, value = "ok", '{"action": 1}'
                if kind == "status":
                    self.send_response(int(value))
                    self.end_headers()
                    return
                body = reply(str(value)) if kind == "ok" else bytes(value)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer()
    yield fake
    fake.close()


def backend(url: str, **options) -> OpenAIBackend:
    sleeps: list[float] = []
    options = {"timeout": 2.0, "max_retries": 2, "sleep": sleeps.append, **options}
    b = OpenAIBackend(url, "fake-model", **options)
    b.slept = sleeps  # type: ignore[attr-defined]
    return b


def test_request_body_and_answer(server, monkeypatch):
    monkeypatch.setenv("TEST_KEY", "sekrit")
    server.script = [("ok", '{"action": 2}')]
    b = backend(server.url, api_key_env="TEST_KEY")
    assert b.complete(REQUEST) == '{"action": 2}'
    body = server.bodies[0]
    assert body["model"] == "fake-model" and body["seed"] == 3
    assert body["messages"] == [{"role": "user", "content": "pick"}]
    assert body["response_format"] == {"type": "json_object"}
    assert server.headers[0]["Authorization"] == "Bearer sekrit"


def test_transient_errors_are_retried_with_backoff(server):
    server.script = [("status", 503), ("raw", b"{not json"), ("ok", "fine")]
    b = backend(server.url, backoff=0.25)
    assert b.complete(REQUEST) == "fine"
    assert b.slept == [0.25, 0.5] and len(server.bodies) == 3


def test_retries_are_bounded(server):
    server.script = [("raw", b"<html>oops</html>")] * 5
    b = backend(server.url, max_retries=1)
    with pytest.raises(BackendError, match="malformed"):
        b.complete(REQUEST)
    assert len(server.bodies) == 2


def test_client_errors_are_not_retried(server):
    server.script = [("status", 400), ("ok", "never")]
    with pytest.raises(BackendError, match="HTTP 400"):
        backend(server.url).complete(REQUEST)
    assert len(server.bodies) == 1


def test_wrong_shapes_are_malformed(server):
    server.script = [
        ("raw", json.dumps({"choices": []}).encode()),
        ("raw", json.dumps({"choices": [{"message": {"content": None}}]}).encode()),
    ]
    with pytest.raises(BackendError):
        backend(server.url, max_retries=1).complete(REQUEST)


def test_timeout_then_success(server):
    server.script = [("sleep", 1.0), ("ok", "late but fine")]
    b = backend(server.url, timeout=0.2)
    assert b.complete(REQUEST) == "late but fine"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_connection_refused_fails_fast_once_down():
    b = backend(f"http://127.0.0.1:{free_port()}/v1", max_failures=2, max_retries=1)
    for _ in range(2):
        with pytest.raises(BackendError, match="cannot reach"):
            b.complete(REQUEST)
    assert b.down
    started = time.perf_counter()
    with pytest.raises(BackendError, match="down"):
        b.complete(REQUEST)
    assert time.perf_counter() - started < 0.05


def test_cache_answers_identical_requests_once(server):
    server.script = [("ok", "a"), ("ok", "b")]
    cached = CachedBackend(backend(server.url))
    assert cached.complete(REQUEST) == cached.complete(REQUEST) == "a"
    other = ChatRequest(messages=REQUEST.messages, seed=4)
    assert cached.complete(other) == "b"
    assert cached.hits == 1 and len(server.bodies) == 2


def test_rate_limiter_spaces_calls():
    now = [0.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    limiter = RateLimiter(rate=4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait()
    assert slept == [0.25, 0.25]
