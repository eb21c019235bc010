"""Practical thresholds: the smallest effect on an objective that the report calls a lead.

A statistically separable difference can be practically nothing (cooperation 0.9748 vs
0.973); the verdicts (:mod:`.verdicts`) therefore call a lead *clear* only when the paired
difference also exceeds the objective's threshold. A threshold is either

* ``absolute`` — an effect size in the metric's own unit, or
* ``relative`` — a fraction of the range (max − min) of the candidates' means in the sweep
  point being compared.

Where a metric's threshold comes from, first match wins:

1. ``argument`` — ``ExperimentTables.thresholds`` (``report_results(..., thresholds=...)``
   in Python), absolute;
2. ``config`` — the experiment config's ``report.thresholds`` (or a MechBench scenario's
   ``experiment.report.thresholds``), stored with every run (``runs.config``), so
   ``incentive-lab report`` finds it in the store;
3. ``default`` — :data:`DEFAULT`, ``relative`` 1 % of the candidates' range.

``report.json`` records the rule and its source per objective and per verdict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

Kind = Literal["absolute", "relative"]
Source = Literal["argument", "config", "default"]


@dataclass(frozen=True)
class Rule:
    """How one objective's practical threshold is set."""

    kind: Kind
    value: float
    source: Source

    def limit(self, means: Iterable[float]) -> float:
        """The threshold for candidates with these means (``relative``: × their range)."""
        if self.kind == "absolute":
            return float(self.value)
        found = [float(m) for m in means]
        return self.value * (max(found) - min(found)) if found else 0.0

    def text(self) -> str:
        """``1% of the candidates' range (default)`` / ``0.02 (config)``."""
        what = (
            f"{self.value:g}"
            if self.kind == "absolute"
            else f"{100 * self.value:g}% of the candidates' range"
        )
        return f"{what} ({self.source})"

    def record(self) -> dict[str, Any]:
        """``{"kind", "value", "source"}`` for ``report.json``."""
        return {"kind": self.kind, "value": self.value, "source": self.source}


DEFAULT = Rule("relative", 0.01, "default")
"""The default threshold: 1 % of the range of the candidates' means in the sweep point."""


def stored_rules(configs: Iterable[Any]) -> dict[str, Rule]:
    """The ``report.thresholds`` of the first stored run config that has any.

    ``configs``: the ``runs.config`` column (JSON text or mappings). A stored threshold is
    ``{"absolute": x}`` or ``{"relative": x}`` (``experiments.config.schema.Threshold``).
    """
    for raw in configs:
        config = json.loads(raw) if isinstance(raw, str) else raw
        if not isinstance(config, Mapping):
            continue
        given = (config.get("report") or {}).get("thresholds") or {}
        rules = {}
        for metric, spec in given.items():
            kind: Kind = "relative" if "relative" in spec else "absolute"
            rules[str(metric)] = Rule(kind, float(spec[kind]), "config")
        if rules:
            return rules
    return {}


def rules_for(
    metrics: Iterable[str], arguments: Mapping[str, float], configs: Iterable[Any]
) -> dict[str, Rule]:
    """Metric → its :class:`Rule` (argument, then config, then :data:`DEFAULT`)."""
    stored = stored_rules(configs)
    out = {}
    for metric in metrics:
        if metric in arguments:
            out[metric] = Rule("absolute", float(arguments[metric]), "argument")
        else:
            out[metric] = stored.get(metric, DEFAULT)
    return out
