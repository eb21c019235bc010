"""The adaptive planner: a designer that learns payments from the players' next learning step.

Registers ``adaptive_planner`` (:mod:`.adaptive`), whose payment gradient is either exact
on a normal-form game (:mod:`.gradients`: the chain rule through the players' next step,
written out for the tabular case) or sampled from observed play on any game
(:mod:`.sampled`).
"""

from incentive_lab.mechanisms.planner import adaptive

__all__ = ["adaptive"]
