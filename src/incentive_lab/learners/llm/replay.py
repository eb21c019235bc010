"""Record and replay chat answers as JSONL, keyed by the request hash.

A recording is a JSON-lines file; each line is ``{"key": <sha256 of the request>,
"response": <answer text>, "messages": [...]}`` (the messages are kept for humans; only
``key`` and ``response`` are read back). :class:`RecordingBackend` wraps a live backend and
appends every new answer; :class:`ReplayBackend` answers from a recording only, so a run
recorded once against a real model replays bit for bit without it (deterministic tests,
CI, reproducing a paper's figure). A request missing from the recording raises a
non-transient :class:`~.backends.BackendError` (the learner falls back and counts it).
Continuation requests (``ChatRequest.prefix``, ``grammar``) are recorded and replayed like any
other: their key includes the prefix and grammar, the line also keeps the ``prefix``. The
replay backend declares ``continues = True`` (it answers whatever was recorded); a
recording backend continues when its live backend does.
"""

from __future__ import annotations

import json
from pathlib import Path

from incentive_lab.learners.llm.backends import (
    BackendError,
    ChatBackend,
    ChatRequest,
    continues,
)


def load_recording(path: str | Path | None) -> dict[str, str]:
    """``{key: response}`` from a JSONL recording (``None`` or a missing file: empty)."""
    if path is None or not Path(path).exists():
        return {}
    answers: dict[str, str] = {}
    for number, line in enumerate(Path(path).read_text().splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            answers[str(record["key"])] = str(record["response"])
        except (ValueError, KeyError, TypeError):
            raise BackendError(f"{path}:{number}: not a recording line") from None
    return answers


def record_line(request: ChatRequest, response: str) -> str:
    """One JSONL line for ``request`` → ``response``."""
    line: dict[str, object] = {
        "key": request.key(),
        "response": response,
        "messages": request.chat_messages(),
    }
    if request.prefix is not None:
        line["prefix"] = request.prefix
    return json.dumps(line, sort_keys=True)


class ReplayBackend:
    """Answers only from a recording; a miss is a (non-transient) backend error."""

    name = "replay"
    continues = True

    def __init__(self, path: str | Path | None) -> None:
        self.path = None if path is None else str(path)
        self.answers = load_recording(path)
        self.misses = 0

    def complete(self, request: ChatRequest) -> str:
        """The recorded answer of ``request``."""
        key = request.key()
        if key not in self.answers:
            self.misses += 1
            raise BackendError(f"no recorded answer for request {key[:12]} in {self.path}")
        return self.answers[key]


class RecordingBackend:
    """Serves known requests from ``path`` and appends every new answer of ``inner`` to it."""

    def __init__(self, inner: ChatBackend, path: str | Path) -> None:
        self.inner = inner
        self.name = inner.name
        self.continues = continues(inner)
        self.path = Path(path)
        self.answers = load_recording(path)

    def complete(self, request: ChatRequest) -> str:
        """Recorded answer, or ask ``inner`` and append the answer to the recording."""
        key = request.key()
        if key in self.answers:
            return self.answers[key]
        text = self.inner.complete(request)
        self.answers[key] = text
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a") as handle:
            handle.write(record_line(request, text) + "\n")
        return text
