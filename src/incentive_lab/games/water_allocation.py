"""Water allocation auction (``water_allocation``), after ALYMPICS (Mao et al., 2023).

Residents of a town buy their daily drinking water in a sealed-bid auction; whoever goes
without water loses health, faster each day they stay thirsty. ALYMPICS uses the game to
watch LLM agents with personas; here any learner (``llm``, ``q_learning``, ``fixed`` as a
scripted bidder, ...) can play it.

Rules (SPEC §1.8)
    ``n_agents`` residents (default 5), each with a daily ``need`` (integer in
    ``[need_min, need_max]`` = 8–12) and ``salary`` (integer in ``[salary_min,
    salary_max]`` = 70–120), drawn at reset from the game's generator unless given
    explicitly (``needs``, ``salaries``). The game lasts ``days`` days (default 20). Each
    resident starts with balance ``start_balance`` (0), health ``start_hp`` (8, capped at
    ``hp_cap`` = 10) and a no-drink counter of 1. Each day:

    1. the day's supply is drawn uniformly from the integers in ``[supply_min, supply_max)``
       (10..19) and every living resident is paid its salary;
    2. every living resident submits a sealed bid;
    3. repeatedly, the highest *eligible* bid wins: eligible means alive, not yet served,
       ``need ≤ remaining supply`` and ``bid ≤ balance``. Ties go to the lower need, then
       to the lower index. The winner pays its bid, gains ``hp_gain`` (2) health up to the
       cap, its counter resets to 1, and the supply falls by its need. This repeats until
       nobody is eligible;
    4. every living resident who got no water loses health equal to its counter, and the
       counter grows by 1; health ≤ 0 eliminates the resident (health is then shown as 0);
    5. all bids are published (``info["bids"]``, and each learner sees the joint action).

    **Deviation from the reference code.** The ALYMPICS reference implementation picks the
    winner among tied top bids *before* checking eligibility, so an ineligible resident
    (need larger than the remaining supply) can win a tie. Here eligibility is checked
    first: an ineligible bid never wins, whatever the tie.

Actions
    A discretised bid: action ``k`` of ``bid_levels`` (default 11) bids the fraction
    ``k/(bid_levels−1)`` of the current balance, rounded down to an integer
    (``⌊balance·k/(L−1)⌋``); so 0 bids nothing and the last action bids everything.

Observations (``float64[8]`` per resident)
    ``[day, supply, need, salary, balance, hp, counter, alive]`` at the moment of bidding
    (today's salary already paid, today's supply announced).

Rewards
    The day's change of health (``hp_after − hp_before``, with an eliminated resident's
    health counted as 0), so an episode's return is ``final hp − start_hp``. Eliminated
    residents get 0 afterwards and their actions are ignored.

Metrics (``info["metrics"]``): ``survivors`` (fraction alive), ``served`` (fraction of the
living served today), ``water_used`` (allocated / supply), ``mean_bid`` (mean bid of the
living). The episode is truncated after ``days`` days, terminated early if nobody lives.

Counterfactuals (``rewards_for``) replay the last day from its starting state.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from gymnasium import spaces
from pydantic import Field, model_validator

from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.params import Params, field_error
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, BoolArray, IntArray, Obs, Rewards

N_FEATURES = 8


class WaterAllocationParams(Params):
    """Parameters of ``water_allocation`` (defaults: ALYMPICS, SPEC §1.8)."""

    n_agents: int = Field(5, ge=1, le=1000)
    """Number of residents."""
    days: int = Field(20, ge=1)
    """Days per episode."""
    need_min: int = Field(8, ge=1)
    """Smallest daily water need."""
    need_max: int = Field(12, ge=1)
    """Largest daily water need (inclusive)."""
    salary_min: int = Field(70, ge=0)
    """Smallest daily salary."""
    salary_max: int = Field(120, ge=0)
    """Largest daily salary (inclusive)."""
    supply_min: int = Field(10, ge=0)
    """Smallest daily supply."""
    supply_max: int = Field(20, ge=1)
    """Daily supply is drawn from ``[supply_min, supply_max)`` (exclusive upper end)."""
    start_balance: int = Field(0, ge=0)
    """Balance of every resident at the start."""
    start_hp: int = Field(8, ge=1)
    """Health of every resident at the start."""
    hp_cap: int = Field(10, ge=1)
    """Largest possible health."""
    hp_gain: int = Field(2, ge=0)
    """Health gained by drinking."""
    bid_levels: int = Field(11, ge=2, le=101)
    """Number of bid actions: action ``k`` bids ``⌊balance·k/(bid_levels−1)⌋``."""
    needs: list[int] | None = None
    """Explicit needs, one per resident (default: drawn at reset)."""
    salaries: list[int] | None = None
    """Explicit salaries, one per resident (default: drawn at reset)."""

    @model_validator(mode="after")
    def _consistent(self) -> WaterAllocationParams:
        name = type(self).__name__
        for low, high in (("need_min", "need_max"), ("salary_min", "salary_max")):
            if getattr(self, high) < getattr(self, low):
                raise field_error(name, high, getattr(self, high), f">= {low}")
        if self.supply_max <= self.supply_min:
            raise field_error(name, "supply_max", self.supply_max, "> supply_min")
        if self.start_hp > self.hp_cap:
            raise field_error(name, "start_hp", self.start_hp, f"<= hp_cap={self.hp_cap}")
        for field in ("needs", "salaries"):
            values = getattr(self, field)
            if values is not None and (
                len(values) != self.n_agents or min(values) < (1 if field == "needs" else 0)
            ):
                allowed = f"{self.n_agents} {'positive' if field == 'needs' else 'non-negative'}"
                raise field_error(name, field, values, f"{allowed} integers (one per resident)")
        return self


@dataclass(frozen=True)
class DayState:
    """The town at the moment of bidding (arrays over residents)."""

    day: int
    supply: int
    need: IntArray
    salary: IntArray
    balance: IntArray
    hp: IntArray
    counter: IntArray
    alive: BoolArray


@dataclass(frozen=True)
class DayOutcome:
    """What one day did: the state after it, per-resident rewards, bids and winners."""

    state: DayState
    rewards: Rewards
    bids: IntArray
    served: BoolArray
    allocated: int


def bids_for(levels: Actions, balance: IntArray, bid_levels: int) -> IntArray:
    """``⌊balance·k/(L−1)⌋`` per resident (exact integer arithmetic)."""
    bids: IntArray = (balance * np.asarray(levels, dtype=np.int64)) // (bid_levels - 1)
    return bids


def allocate(
    bids: IntArray, need: IntArray, balance: IntArray, alive: BoolArray, supply: int
) -> tuple[BoolArray, int]:
    """Serve the highest eligible bid until nobody is eligible; ``(served, remaining)``.

    Eligible: alive, unserved, ``need ≤ remaining`` and ``bid ≤ balance``. Ties go to the
    lower need, then the lower index. Eligibility is checked *before* breaking ties.
    """
    served = np.zeros(bids.shape[0], dtype=bool)
    remaining = int(supply)
    # Priority order once: higher bid first, then lower need, then lower index.
    order = np.lexsort((np.arange(bids.shape[0]), need, -bids))
    for i in order:
        if alive[i] and need[i] <= remaining and bids[i] <= balance[i]:
            served[i] = True
            remaining -= int(need[i])
    return served, remaining


def play_day(state: DayState, bids: IntArray, params: WaterAllocationParams) -> DayOutcome:
    """One day from ``state`` (salary already paid) with ``bids``; pure."""
    bids = np.where(state.alive, bids, 0)
    served, remaining = allocate(bids, state.need, state.balance, state.alive, state.supply)
    thirsty = state.alive & ~served
    balance = state.balance - np.where(served, bids, 0)
    hp = np.where(served, np.minimum(state.hp + params.hp_gain, params.hp_cap), state.hp)
    hp = np.where(thirsty, hp - state.counter, hp)
    counter = np.where(served, 1, np.where(thirsty, state.counter + 1, state.counter))
    alive = state.alive & (hp > 0)
    hp = np.maximum(hp, 0)
    rewards = (hp - state.hp).astype(np.float64)
    after = replace(state, balance=balance, hp=hp, counter=counter, alive=alive)
    return DayOutcome(after, rewards, bids, served, state.supply - remaining)


@register(
    "game",
    "water_allocation",
    params=WaterAllocationParams,
    description="ALYMPICS water allocation: daily sealed-bid water auctions, thirst costs health",
    cooperative_action=None,
    stochastic=True,
)
class WaterAllocation(Game[WaterAllocationParams]):
    """Residents bid a fraction of their balance for water each day (SPEC §1.8)."""

    def __init__(self, params: WaterAllocationParams) -> None:
        super().__init__(params)
        self.n_agents = params.n_agents
        self.n_actions = params.bid_levels
        self.max_steps = params.days
        salary_top = max(params.salaries) if params.salaries else params.salary_max
        need_top = max(params.needs) if params.needs else params.need_max
        high = [
            params.days,
            params.supply_max - 1,
            need_top,
            salary_top,
            params.start_balance + params.days * salary_top,
            params.hp_cap,
            params.days + 1,
            1,
        ]
        self.observation_space = spaces.Box(
            np.zeros(N_FEATURES), np.asarray(high, dtype=np.float64), dtype=np.float64
        )
        self.metadata = GameMetadata(
            action_names=tuple(
                f"bid {100 * k // (params.bid_levels - 1)}%" for k in range(params.bid_levels)
            ),
            stochastic=True,
        )
        self._rng = np.random.default_rng(0)
        self.state = self._start(self._rng)
        self._day_start = self.state

    # -- episode -------------------------------------------------------------------------
    def _start(self, rng: np.random.Generator) -> DayState:
        p, n = self.params, self.params.n_agents
        need = rng.integers(p.need_min, p.need_max + 1, n) if p.needs is None else p.needs
        salary = rng.integers(p.salary_min, p.salary_max + 1, n) if p.salaries is None else None
        salary = np.asarray(p.salaries if salary is None else salary, dtype=np.int64)
        state = DayState(
            day=0,
            supply=0,
            need=np.asarray(need, dtype=np.int64),
            salary=salary,
            balance=np.full(n, p.start_balance, dtype=np.int64),
            hp=np.full(n, p.start_hp, dtype=np.int64),
            counter=np.ones(n, dtype=np.int64),
            alive=np.ones(n, dtype=bool),
        )
        return self._morning(state, rng)

    def _morning(self, state: DayState, rng: np.random.Generator) -> DayState:
        """Next day: draw the supply and pay the living their salaries."""
        supply = int(rng.integers(self.params.supply_min, self.params.supply_max))
        balance = state.balance + np.where(state.alive, state.salary, 0)
        return replace(state, day=state.day + 1, supply=supply, balance=balance)

    def _obs(self) -> Obs:
        s = self.state
        n = self.n_agents
        return np.column_stack(
            [
                np.full(n, s.day),
                np.full(n, s.supply),
                s.need,
                s.salary,
                s.balance,
                s.hp,
                s.counter,
                s.alive,
            ]
        ).astype(np.float64)

    def reset(self, rng: np.random.Generator) -> Obs:
        """Draw residents (unless given) and the first day's supply; pay the first salary."""
        self._rng = rng
        self.state = self._start(rng)
        self._day_start = self.state
        return self._obs()

    def step(self, actions: Actions) -> StepResult:
        """Run one day of bidding, allocation and thirst."""
        actions = self.check_actions(actions)
        start = self.state
        outcome = play_day(start, bids_for(actions, start.balance, self.n_actions), self.params)
        self._day_start = start
        living = start.alive.sum()
        metrics = {
            "survivors": float(outcome.state.alive.mean()),
            "served": float(outcome.served.sum() / living) if living else 0.0,
            "water_used": outcome.allocated / start.supply if start.supply else 0.0,
            "mean_bid": float(outcome.bids[start.alive].mean()) if living else 0.0,
        }
        terminated = not outcome.state.alive.any()
        truncated = start.day >= self.params.days
        self.state = outcome.state
        if not (terminated or truncated):
            self.state = self._morning(outcome.state, self._rng)
        return StepResult(
            obs=self._obs(),
            rewards=outcome.rewards,
            terminated=terminated,
            truncated=truncated and not terminated,
            info={
                "metrics": metrics,
                "bids": outcome.bids,
                "served": outcome.served,
                "supply": start.supply,
            },
        )

    def rewards_for(self, actions: Actions) -> Rewards:
        """Rewards of ``actions`` on the last day (from its starting state)."""
        start = self._day_start
        bids = bids_for(np.asarray(actions, dtype=np.int64), start.balance, self.n_actions)
        return play_day(start, bids, self.params).rewards

    def describe(self) -> str:
        """The rules in plain text, for LLM agents."""
        p = self.params
        top = p.bid_levels - 1
        return "\n".join(
            [
                f"Water allocation auction: {p.n_agents} residents, {p.days} days.",
                f"Each day the town has a water supply (an integer from {p.supply_min} to "
                f"{p.supply_max - 1}) and every living resident is paid a salary.",
                "Every resident then submits a sealed bid. The highest bid whose bidder can "
                "pay it and whose need still fits in the remaining supply gets its full need "
                "and pays its bid; ties go to the smaller need. This repeats until no one fits.",
                f"Drinking adds {p.hp_gain} health (at most {p.hp_cap}). A resident who gets no "
                "water loses health equal to its no-drink counter, which then grows by 1 "
                "(it resets to 1 after drinking). Health 0 or less eliminates the resident.",
                f"Actions 0..{top}: action k bids k/{top} of your current balance "
                f"(0 = bid nothing, {top} = bid everything).",
                "Your observation is [day, supply, need, salary, balance, health, "
                "no-drink counter, alive]. Your reward is the day's change of your health. "
                "All bids are published after each day.",
            ]
        )
