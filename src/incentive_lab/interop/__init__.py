"""Adapters to other ecosystems (imported lazily; nothing else in the package imports this).

* :func:`parallel_env` — any registered game (+ mechanism) as a PettingZoo ``ParallelEnv``.
* :class:`GameFromParallelEnv` / :func:`from_parallel_env` — any external PettingZoo
  ``ParallelEnv`` as a ``core.game.Game`` for ``incentive_lab.rollout.Simulation``.
* ``incentive_lab.interop.rllib`` — any registered game (+ mechanism) as an RLlib
  ``MultiAgentEnv``; import it explicitly (it needs the ``rllib`` extra, not imported here).
"""

from incentive_lab.interop.external import GameFromParallelEnv, from_parallel_env
from incentive_lab.interop.pettingzoo import IncentiveParallelEnv, agent_names, parallel_env

__all__ = [
    "GameFromParallelEnv",
    "IncentiveParallelEnv",
    "agent_names",
    "from_parallel_env",
    "parallel_env",
]
