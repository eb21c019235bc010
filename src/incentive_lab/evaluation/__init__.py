"""Evaluation: metrics over recorded runs and the recorder that feeds them."""

from incentive_lab.evaluation.metrics import METRIC_NAMES, gini, summarise, window_metrics
from incentive_lab.evaluation.recorder import WindowRecorder

__all__ = ["METRIC_NAMES", "WindowRecorder", "gini", "summarise", "window_metrics"]
