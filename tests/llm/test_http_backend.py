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
    """Serves queued behaviours: ok text | status code | raw bytes | sleep seconds, and hostile
    ones: drip (one byte per interval) | short (body shorter than its Content-Length) |
    huge (declares and streams a body of that many bytes) | stream (no Content-Length, bytes
    until closed) | redirect (302 to a URL)."""

    def __init__(self) -> None:
        self.script: list[tuple[str, object]] = []
        self.bodies: list[dict] = []
        self.headers: list[dict] = []
        self.paths: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers["Content-Length"])
                server.bodies.append(json.loads(self.rfile.read(length)))
                server.headers.append(dict(self.headers))
                server.paths.append(self.path)
                kind, value = server.script.pop(0) if server.script else ("ok", '{"action": 0}')
                if kind == "sleep":
                    time.sleep(float(value))
                    kind, value = "ok", '{"action": 1}'
                if kind == "status":
                    self.send_response(int(value))
                    self.end_headers()
                    return
                if kind in ("drip", "short", "huge", "stream", "redirect"):
                    try:
                        hostile(self, kind, value)
                    except OSError:
                        pass  # the client hung up: that is the point
                    self.close_connection = True
                    return
                body = reply(str(value)) if kind == "ok" else bytes(value)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def hostile(handler, kind, value):
            if kind == "redirect":
                handler.send_response(302)
                handler.send_header("Location", str(value))
                handler.send_header("Content-Length", "0")
                handler.end_headers()
                return
            body = reply('{"action": 0}')
            declared = {"drip": len(body), "short": len(body) + 100, "huge": int(value)}
            handler.send_response(200)
            if kind in declared:
                handler.send_header("Content-Length", str(declared[kind]))
            handler.end_headers()
            if kind == "drip":
                for byte in body:
                    handler.wfile.write(bytes([byte]))
                    handler.wfile.flush()
                    time.sleep(float(value))
            elif kind == "short":
                handler.wfile.write(body)
            else:
                chunk = b" " * 65536
                for _ in range(int(value) // len(chunk) + 1):
                    handler.wfile.write(chunk)

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


# -- hostile servers (issue #15, items 5 and 6): every one ends in a BackendError ----------


def test_a_slow_drip_is_cut_at_the_wall_clock_deadline(server):
    """1 byte per 0.2 s never trips the 2 s per-read timeout; the 1 s deadline ends it."""
    server.script = [("drip", 0.2)]
    b = backend(server.url, deadline=1.0, max_retries=0)
    start = time.monotonic()
    with pytest.raises(BackendError, match="deadline"):
        b.complete(REQUEST)
    assert time.monotonic() - start < 30  # generous: the body alone would take ~15 s


def test_an_oversized_declared_body_is_refused_unread(server):
    server.script = [("huge", 400_000_000)]
    with pytest.raises(BackendError, match="exceeds 4096 bytes"):
        backend(server.url, max_response_bytes=4096, max_retries=0).complete(REQUEST)


def test_an_oversized_streamed_body_stops_at_the_limit(server):
    server.script = [("stream", 10_000_000)]
    with pytest.raises(BackendError, match="longer than 4096 bytes"):
        backend(server.url, max_response_bytes=4096, max_retries=0).complete(REQUEST)


def test_a_body_shorter_than_its_content_length_is_a_backend_error(server):
    server.script = [("short", 0)]
    with pytest.raises(BackendError, match="IncompleteRead"):
        backend(server.url, max_retries=0).complete(REQUEST)


def test_a_1500_deep_nested_body_is_malformed_not_a_crash(server):
    server.script = [("raw", b"[" * 1500 + b"]" * 1500), ("ok", "[" * 1500 + "]" * 1500)]
    b = backend(server.url, max_retries=0)
    with pytest.raises(BackendError, match="malformed"):
        b.complete(REQUEST)
    assert b.complete(REQUEST) == "[" * 1500 + "]" * 1500  # text; the parser rejects it


def test_a_deeply_nested_answer_is_rejected_by_the_parser():
    from incentive_lab.learners.llm.parsing import parse_action

    parsed = parse_action('{"action": ' + "[" * 1500 + "]" * 1500 + "}", 2, max_chars=10_000)
    assert parsed.action is None


@pytest.mark.parametrize(
    "raw",
    [
        b"\xff\xfe\x00garbage",
        b'{"choices": [{"message": {"content": "\\udc80"}}]}',
        '{"choices": [{"message": {"content": "caf\u00e9"}}]}'.encode("latin-1"),
    ],
)
def test_non_utf8_bodies_are_backend_errors(server, raw):
    server.script = [("raw", raw)]
    with pytest.raises(BackendError):
        backend(server.url, max_retries=0).complete(REQUEST)


def test_redirects_are_not_followed(server):
    server.script = [("redirect", "http://127.0.0.1:9/elsewhere"), ("redirect", "file:///etc/x")]
    b = backend(server.url, max_retries=0, max_failures=10)
    for _ in range(2):
        with pytest.raises(BackendError, match="redirect"):
            b.complete(REQUEST)
    assert len(server.bodies) == 2


def test_any_other_exception_becomes_a_backend_error(server, monkeypatch):
    b = backend(server.url, max_retries=0)

    def explode(request):
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(b, "_post", explode)
    with pytest.raises(BackendError, match="RecursionError"):
        b.complete(REQUEST)
