"""The ``congestion`` game: network routing with many agents, and what it is built from.

Importing this package registers the game ``congestion`` (:mod:`.game`). Its parts are
used by no other game: :mod:`.latency` (non-negative polynomial edge latencies, their
integrals and marginal costs) and :mod:`.routing` (the networks, their simple
``source → sink`` paths and the path–edge incidence).
"""

from incentive_lab.games.congestion import game

__all__ = ["game"]
