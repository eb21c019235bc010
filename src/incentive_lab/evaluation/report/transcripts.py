"""A sample of LLM transcripts for the report (learners that keep ``transcripts``).

The ``llm`` learner keeps, per run, its first prompts and raw answers; the runner stores
them in the run's ``extra["transcripts"]`` (``{"learner<k>": [record, ...]}``, each record
``{round, agent, messages: [[role, text], ...], answers: [...], errors: [...], action,
fallback}``). This module renders a short sample — the last user message, the raw answers,
any parse/backend errors and the action taken — so a reader can see what the model was asked
and what it said. Everything is escaped; nothing is executed.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from incentive_lab.evaluation.report.template import Markup, badge, join, tag

MAX_RUNS = 2
"""Runs sampled per experiment."""
MAX_RECORDS = 3
"""Records shown per learner group and run."""
MAX_CHARS = 1200
"""Characters of any one prompt or answer shown (the rest is elided)."""


def _clip(text: Any) -> str:
    text = str(text)
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS] + " …"


def transcripts_of(runs: pd.DataFrame) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """``(run label, learner group, records)`` of up to :data:`MAX_RUNS` runs that have any."""
    found: list[tuple[str, str, list[dict[str, Any]]]] = []
    if "extra" not in runs.columns:
        return found
    for _, run in runs.iterrows():
        extra = run["extra"]
        if isinstance(extra, str):
            try:
                extra = json.loads(extra)
            except json.JSONDecodeError:
                continue
        groups = (extra or {}).get("transcripts") if isinstance(extra, dict) else None
        if not groups:
            continue
        label = f"run {str(run['run_id'])[:8]} (seed index {run.get('seed_index', '?')})"
        for group, records in sorted(groups.items()):
            found.append((label, str(group), list(records)[:MAX_RECORDS]))
        if len({label for label, _, _ in found}) >= MAX_RUNS:
            break
    return found


def _record(record: dict[str, Any]) -> Markup:
    messages = record.get("messages") or []
    prompt = next((m[1] for m in reversed(messages) if m and m[0] == "user"), "")
    head = f"round {record.get('round', '?')}, agent {record.get('agent', '?')}: action "
    status = badge("fallback", "over") if record.get("fallback") else badge("parsed", "clear")
    parts: list[object] = [tag("p", join([head, str(record.get("action", "?")), " ", status]))]
    parts.append(tag("pre", _clip(prompt), class_="transcript prompt"))
    for answer in record.get("answers") or []:
        parts.append(tag("pre", _clip(answer), class_="transcript answer"))
    for error in record.get("errors") or []:
        parts.append(tag("p", f"error: {_clip(error)}", class_="lead"))
    return join(parts)


def transcript_section(runs: pd.DataFrame) -> Markup | None:
    """The "LLM transcripts" block of an experiment, or ``None`` when no run kept any."""
    found = transcripts_of(runs)
    if not found:
        return None
    parts: list[object] = [
        tag("h3", "LLM transcripts (sample)"),
        tag(
            "p",
            "The last prompt each agent saw and the model's raw answers; 'fallback' marks an "
            "answer that did not parse (or a backend error) and was replaced by the fallback "
            "action.",
            class_="lead",
        ),
    ]
    for label, group, records in found:
        body = join(_record(r) for r in records)
        parts.append(tag("details", join([tag("summary", f"{label} — {group}"), body])))
    return join(parts)
