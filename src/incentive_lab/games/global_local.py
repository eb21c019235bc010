"""Global decisions with many local agents (``global_local``; SPEC §1.6).

One global agent (state ``s_g``, action ``a_g``) and ``n`` homogeneous local agents
(states ``s_i``), after Anand & Qu, "Efficient Reinforcement Learning for Global Decision
Making in the Presence of Local Agents at Scale" (arXiv 2403.00222)::

    r      = r_g(s_g, a_g) + (1/n) Σ_i r_l(s_i, s_g)
    s_g'   ~ P_g(· | s_g, a_g)
    s_i'   ~ P_l(· | s_i, s_g)        independently, with the current s_g

Instances (parameter ``instance``; dynamics in :mod:`.global_local_instances`):
``median`` (the best ``s_g`` tracks the median local state,
``r = −0.1|a_g| − mean_i |c_i − s_g|``), ``demand_response`` (supply level 1..5 vs
consumers' (consumption, desire)), ``queueing`` (servers vs queue lengths), ``ev_charging``
(a station's power level vs EVs arriving, charging their batteries and leaving).

The game's contract
    The *learning agent is the global agent*: ``n_agents = 1`` (the decision-maker; the
    parameter ``n_agents`` is the number ``n`` of local agents), ``actions = [a_g]`` with
    ``a_g ∈ {0: down, 1: stay, 2: up}``, ``obs = [s_g]`` (``Discrete(|S_g|)``) and
    ``rewards = [r]``. The local agents are arrays inside the episode state (``int64[n]``,
    ``n`` up to 10⁶; one step costs O(n·|S_l|) vectorised work).

    The local states reach planning learners through the game's **generative model**
    (``game.generative``, a :class:`~incentive_lab.core.generative.GenerativeModel`, passed
    to learners as ``LearnerContext.generative``): ``kernels`` sample transitions from any
    state, ``observe_locals(k, rng)`` returns the live states of ``k`` local agents drawn
    uniformly without replacement (what SUB-SAMPLE-Q sees when it acts), and
    ``local_states()`` the whole ``int64[n]`` array (what a full-information baseline sees).

    Randomness: ``reset`` draws ``s_g`` then the ``n`` local states from the game's own
    generator; each step draws one global uniform then ``n`` local ones, whatever the
    action. Runs with the same seed therefore start from the same states and share their
    random streams whatever the learner does (common random numbers across learners and
    their parameters). ``info["metrics"]``: ``global_state`` (the ``s_g`` the step was
    played in) and ``local_reward`` (``mean_i r_l``). Counterfactual ``rewards_for``
    evaluates an action in the state of the last step (before it, the initial state).
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from gymnasium import spaces
from pydantic import Field

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.generative import GlobalLocalKernels
from incentive_lab.core.params import Params
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, IntArray, Obs, Rewards
from incentive_lab.games.global_local_instances import ACTION_NAMES, INSTANCES, Instance


class GlobalLocalParams(Params):
    """A global agent facing ``n_agents`` local agents."""

    instance: Literal["median", "demand_response", "queueing", "ev_charging"] = "median"
    """Which problem: ``median`` tracking, ``demand_response``, ``queueing`` or
    ``ev_charging``."""
    n_agents: int = Field(100, ge=1, le=10_000_000)
    """Number ``n`` of local agents (the game's one learning agent is the global agent)."""
    move_cost: float = Field(0.1, ge=0.0, allow_inf_nan=False)
    """Cost ``move_cost·|Δ|`` of moving the global level by ``Δ = a_g − 1``."""


class GlobalLocalGame(Game[GlobalLocalParams]):
    """One global decision-maker, ``n`` local agents as arrays; a generative model."""

    capabilities = frozenset({Capability.GENERATIVE_MODEL})

    def __init__(self, params: GlobalLocalParams) -> None:
        super().__init__(params)
        self.n_agents = 1
        self.n_locals = params.n_agents
        self._rng: np.random.Generator | None = None
        self._instance = INSTANCES[params.instance](params.move_cost)
        self.n_actions = self.kernels.n_global_actions
        self.observation_space = spaces.Discrete(self.kernels.n_global_states)
        self.metadata = GameMetadata(action_names=ACTION_NAMES, stochastic=True)
        self._s_g = 0
        self._s_l: IntArray = np.zeros(self.n_locals, dtype=np.int64)
        self._context = (0, 0.0)  # (s_g, mean local reward) of the last step

    # -- the generative model ------------------------------------------------------------
    @property
    def instance(self) -> Instance:
        """The instance's kernels and initial laws."""
        return self._instance

    @property
    def kernels(self) -> GlobalLocalKernels:
        """The tables ``P_g``, ``P_l``, ``r_g``, ``r_l`` (sample from any state)."""
        return self._instance.kernels

    @property
    def generative(self) -> GlobalLocalGame:
        """The generative model learners receive (the game itself)."""
        return self

    def global_state(self) -> int:
        """The live global state ``s_g``."""
        return self._s_g

    def local_states(self) -> IntArray:
        """``int64[n]``: the live local states (a read-only view)."""
        view = self._s_l.view()
        view.flags.writeable = False
        return view

    def observe_locals(self, k: int, rng: np.random.Generator) -> IntArray:
        """``int64[k]``: states of ``k`` local agents drawn uniformly without replacement."""
        if not 1 <= k <= self.n_locals:
            raise ConfigError("k", k, f"1 <= k <= n = {self.n_locals}")
        chosen = rng.choice(self.n_locals, size=k, replace=False)
        return self._s_l[chosen]

    # -- episode -------------------------------------------------------------------------
    def _local_mean(self, s_g: int) -> float:
        return float(self.kernels.local_reward[s_g][self._s_l].mean())

    def reset(self, rng: np.random.Generator) -> Obs:
        """Keep ``rng``; draw ``s_g`` then ``n`` i.i.d. local states from the initial laws."""
        self._rng = rng
        inst = self._instance
        self._s_g = int(rng.choice(inst.initial_global.shape[0], p=inst.initial_global))
        self._s_l = rng.choice(
            inst.initial_local.shape[0], size=self.n_locals, p=inst.initial_local
        )
        self._s_l = self._s_l.astype(np.int64, copy=False)
        self._context = (self._s_g, self._local_mean(self._s_g))
        return np.array([self._s_g], dtype=np.int64)

    def step(self, actions: Actions) -> StepResult:
        """Reward of the current state and ``a_g``, then move ``s_g`` and every local."""
        if self._rng is None:
            raise RuntimeError("global_local: call reset(rng) before step()")
        a_g = self.check_actions(actions)
        s_g = self._s_g
        local = self._local_mean(s_g)
        self._context = (s_g, local)
        next_g, next_l, _ = self.kernels.sample(np.array([s_g]), self._s_l[None, :], a_g, self._rng)
        self._s_g, self._s_l = int(next_g[0]), next_l[0]
        metrics = {"global_state": float(s_g), "local_reward": local}
        return StepResult(
            obs=np.array([self._s_g], dtype=np.int64),
            rewards=self.rewards_for(a_g),
            info={"metrics": metrics},
        )

    # -- counterfactuals ------------------------------------------------------------------
    def rewards_for(self, actions: Actions) -> Rewards:
        """``[r_g(s_g, a_g) + mean_i r_l(s_i, s_g)]`` in the last step's state."""
        s_g, local = self._context
        a_g = int(np.asarray(actions)[0])
        return np.array([self.kernels.global_reward[s_g, a_g] + local], dtype=np.float64)

    def reconfigure(self, **changes: Any) -> None:
        """Change ``move_cost`` mid-run (the instance and ``n`` are fixed)."""
        for key in ("instance", "n_agents"):
            if key in changes and changes[key] != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        super().reconfigure(**changes)
        self._instance = INSTANCES[self.params.instance](self.params.move_cost)

    def describe(self) -> str:
        """The rules in plain text."""
        k = self.kernels
        return (
            f"Global decision ({self.params.instance}: {self._instance.summary}) with "
            f"{self.n_locals} local agents. You are the global agent: observe the global state "
            f"0..{k.n_global_states - 1} and choose 0 = down, 1 = stay, 2 = up. Reward: "
            f"r_g(s_g, a_g) + mean of the local rewards r_l(s_i, s_g); local agents have "
            f"{k.n_local_states} states and move given s_g."
        )


register(
    "game",
    "global_local",
    params=GlobalLocalParams,
    description="Global agent vs n local agents (SUB-SAMPLE-Q class) with a generative model",
    stochastic=True,
)(GlobalLocalGame)
