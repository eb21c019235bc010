"""A recommender platform with competing recommender agents (``recommender``, SPEC §1.7).

Who acts
    The agents are the ``n_agents`` recommender agents (channels, providers' feeds,
    algorithms). One ``int64`` action per agent per round, as the ``Game`` contract wants:
    the index of a **slate strategy** in ``core.recommendation.SLATE_STRATEGIES`` (random,
    popular, oracle, diverse, fresh, similar; ``games.recommender.slates``). The game does
    the per-user personalisation of the chosen strategy for every user the agent serves, so
    a bandit over strategies is the natural learner and ``10⁴`` users cost no Python loop.
    With ``agents_choose: items`` agents choose **items**: a seventh action ``submitted``
    (6) shows, to each user the agent serves, the slate of item ids the agent submitted for
    that user through the capability ``slate_choice`` (``games.recommender.channel``: the
    round is drawn before the agents act, so they know whom they serve). Strategies stay
    available as fixed baselines (``random``, ``popular``, ``oracle`` as an upper bound).

A round
    1. every active user picks an agent by reputation (hard-max, ε-greedy, soft-max, or
       the logit with a switching cost ``logit_switching``; ``games.recommender.users``);
    2. each agent's strategy becomes a slate of ``slate_size`` items for each of its users;
    3. the user clicks at most one item by the multinomial logit with a no-click option and
       position bias (``games.recommender.choice``);
    4. interests drift toward the clicked item (with ``satiation > 0`` the user also
       tires of its topic, ``games.recommender.satiation``), the session budget,
       satisfaction and reputations update; users whose satisfaction runs out churn;
       new users arrive in empty slots and new items replace old ones (cold start).

Rewards and observations
    Agent ``i``'s base reward is its clicks per user slot, ``clicks_i / n_users``. Its
    observation (``float64[5]`` in ``[0, 1]``): market share among active users, its CTR,
    its users' mean satisfaction / ``patience``, its share of cold-start users, the active
    fraction of user slots. ``info["recommender"]`` holds a
    ``core.recommendation.RecommenderOutcome`` for platform mechanisms.

Metrics (``info["metrics"]``)
    ``ctr`` (clicks / slates), ``session_length`` (rounds of the sessions that ended this
    round; absent if none ended), ``churn_rate`` (churned / active), ``intra_list_diversity``
    (mean pairwise cosine distance of slate items), ``coverage`` (distinct items shown /
    catalogue), ``exposure_gini`` (Gini of slate slots over providers), ``cold_start_ctr``
    (CTR of users younger than ``cold_start_rounds``; absent if none), ``platform_welfare``
    (quality of consumed items per user slot, ``Σ click·q / n_users``), ``active_users``;
    with an option added after v0 in use also ``novelty``, ``user_satisfaction`` and
    ``market_share_k`` (``games.recommender.metrics.later_metrics``).
Counterfactuals (``rewards_for``, ``platform_welfare_for``) replay the last round's draws.
Data: ``synthetic`` (``θ ~ U[−1, 1]^d``, one-hot topics; provider of each item uniform, its
level ``μ_p ~ U[0, 1]``, item quality ``q = clip(μ_p + σ_q·z, 0, 1)``, ``z ~ N(0, 1)``: quality
seekers concentrate exposure on the best providers; or explicit ``item_features``) or
``movielens100k`` (``games.recommender.data``; with ``preferences: fitted`` the game offers
the training split as ``logged_interactions``).
Version history: ``recommender`` (v0) — this model. Added later, each off by default so v0
runs bit for bit and stored params omit them: ``agents_choose: items`` (the oracle is now a
Numba top-``k`` returning the NumPy reference's slates), ``competition: logit_switching``,
``satiation``, ``satiation_recovery`` and ``user_model: llm`` (its records: ``transcripts``).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from gymnasium import spaces

from incentive_lab.core.capabilities import Capability
from incentive_lab.core.errors import ConfigError
from incentive_lab.core.game import Game, GameMetadata, StepResult
from incentive_lab.core.recommendation import SLATE_STRATEGIES, RecommenderOutcome
from incentive_lab.core.registry import register
from incentive_lab.core.types import Actions, FloatArray, IntArray, Obs, Rewards
from incentive_lab.games.recommender import users as um
from incentive_lab.games.recommender.channel import SUBMITTED, SlateChannel
from incentive_lab.games.recommender.choice import (
    click_probabilities,
    intra_list_diversity,
    item_vectors,
    sample_choice,
    slate_affinity,
)
from incentive_lab.games.recommender.data import Catalogue, load_movielens100k
from incentive_lab.games.recommender.llm_users import build_user_model
from incentive_lab.games.recommender.metrics import (
    N_OBS,
    later_metrics,
    observe,
    round_metrics,
    user_shares,
)
from incentive_lab.games.recommender.movielens import FittedUsers, fit_users
from incentive_lab.games.recommender.params import RecommenderParams, check_catalogue
from incentive_lab.games.recommender.satiation import effective_interests, satiate
from incentive_lab.games.recommender.slates import (
    Items,
    Round,
    build_slates,
    random_slates,
    top_items,
    topic_table,
)

FIXED_SHAPE = ("n_users", "n_items", "n_agents", "slate_size", "n_topics", "n_providers", "data")


@register(
    "game",
    "recommender",
    params=RecommenderParams,
    description="Recommender agents compete for users with slate strategies (logit clicks, churn)",
    stochastic=True,
    cooperative_action=None,
)
class RecommenderGame(Game[RecommenderParams]):
    """``n_agents`` recommender agents serving ``n_users`` user slots (module docstring)."""

    capability_conditions = {Capability.SLATE_CHOICE: "agents_choose: items",
                             Capability.LOGGED_INTERACTIONS: "preferences: fitted"}  # fmt: skip
    capabilities = frozenset({Capability.RECOMMENDER_OUTCOME, *capability_conditions})

    def __init__(self, params: RecommenderParams) -> None:
        super().__init__(params)
        self.catalogue: Catalogue | None = None
        if params.data == "movielens100k":
            self.catalogue = load_movielens100k()
            check_catalogue(params, len(self.catalogue.topics), self.catalogue.features.shape[0])
        self.fitted: FittedUsers | None = None
        if params.preferences == "fitted":
            self.fitted = fit_users(params.n_users, params.n_items)
        self.logged_interactions = None if self.fitted is None else self.fitted.logged()
        self.n_topics = params.topics if self.catalogue is None else len(self.catalogue.topics)
        self.n_agents = params.n_agents
        self.items_mode = params.agents_choose == "items"
        names = (*SLATE_STRATEGIES, "submitted") if self.items_mode else SLATE_STRATEGIES
        self.n_actions = len(names)
        self.observation_space = spaces.Box(0.0, 1.0, shape=(N_OBS,), dtype=np.float64)
        self.metadata = GameMetadata(action_names=names, stochastic=True)
        self.slate_choice = SlateChannel(self)
        self.serials = 0  # user and item serial numbers handed out so far (never reused)
        self.user_model = build_user_model(self, params.user_model)  # logit, or .llm_users
        self.transcripts = self.user_model.transcripts  # the LLM users' records, for the store
        self.reset(np.random.default_rng(0))

    def offers(self) -> frozenset[Capability]:
        """Less ``slate_choice`` (items mode only) and ``logged_interactions`` (fitted only)."""
        return self.capabilities - {
            c for c, on in ((Capability.SLATE_CHOICE, self.items_mode),
                            (Capability.LOGGED_INTERACTIONS, self.fitted is not None)) if not on
        }  # fmt: skip

    @property
    def n_providers(self) -> int:
        """Number of content providers (``core.recommendation.RecommenderRules``)."""
        return self.params.n_providers

    # -- catalogue and users -------------------------------------------------------------
    def _draw_theta(self, count: int, slots: IntArray | None = None) -> FloatArray:
        if self.fitted is not None:  # slot u is MovieLens user u (a churned user returns)
            return self.fitted.theta[np.arange(count) if slots is None else slots].copy()
        if self.catalogue is None:
            return self._rng.uniform(-1.0, 1.0, size=(count, self.n_topics))
        pool = self.catalogue.interests
        return pool[self._rng.integers(pool.shape[0], size=count)].copy()

    def _draw_items(self, count: int) -> tuple[FloatArray, FloatArray, IntArray]:
        """``(features, quality, provider)`` of ``count`` new items."""
        rng = self._rng
        provider = rng.integers(self.params.n_providers, size=count).astype(np.int64)
        if self.catalogue is not None:
            pick = rng.integers(self.catalogue.features.shape[0], size=count)
            return self.catalogue.features[pick], self.catalogue.quality[pick], provider
        features = np.zeros((count, self.n_topics))
        features[np.arange(count), rng.integers(self.n_topics, size=count)] = 1.0
        return features, self._provider_quality(provider), provider

    def _provider_quality(self, provider: IntArray) -> FloatArray:
        """``clip(μ_p + σ_q·z, 0, 1)``: item quality around its provider's level."""
        noise = self.params.quality_noise * self._rng.standard_normal(provider.shape[0])
        return np.clip(self.provider_level[provider] + noise, 0.0, 1.0)

    def _make_items(self, features: FloatArray, quality: FloatArray, provider: IntArray) -> Items:
        kind = self.params.affinity
        return Items(
            features=features,
            vectors=item_vectors(features, kind) if self.fitted is None else self.fitted.vectors,
            unit=item_vectors(features, "dot"),
            cosine=features / np.linalg.norm(features, axis=1, keepdims=True),
            topic=np.argmax(features, axis=1).astype(np.int64),
            quality=quality,
            provider=provider,
        )

    def reset(self, rng: np.random.Generator) -> Obs:
        """Keep ``rng``; draw the catalogue and the users; start every session."""
        p = self.params
        self._rng = rng
        self.provider_level = rng.random(p.n_providers)
        features, quality, provider = self._draw_items(p.n_items)
        if p.item_features is not None:
            features = np.asarray(p.item_features, dtype=np.float64)
        elif self.catalogue is not None:
            features = self.catalogue.features[: p.n_items].copy()
            quality = self.catalogue.quality[: p.n_items].copy()
        self.items = self._make_items(features, quality, provider)
        self._one_hot = bool(((features > 0).sum(axis=1) == 1).all()) and self.fitted is None
        self.item_age = np.zeros(p.n_items, dtype=np.int64)
        self.popularity = np.zeros(p.n_items)
        self.users = um.new_state(
            self._draw_theta(p.n_users), p.n_agents, p.patience, p.session_budget
        )
        self.user_serial = self._new_serials(p.n_users)
        self.item_serial = self._new_serials(p.n_items)
        self.served_ever = np.zeros(p.n_users, dtype=bool)
        self.played: Round | None = None
        self._last = self.pending = self._draw_round()
        obs = np.zeros((p.n_agents, N_OBS))
        obs[:, 0] = 1.0 / p.n_agents
        obs[:, 2:] = 1.0
        return obs

    def _new_serials(self, count: int) -> IntArray:
        """``count`` fresh serial numbers (users and items after a reset or an arrival)."""
        self.serials += count
        return np.arange(self.serials - count, self.serials, dtype=np.int64)

    def _draw_round(self) -> Round:
        p, rng, state, items = self.params, self._rng, self.users, self.items
        k = p.slate_size
        users = np.flatnonzero(state.active)
        n = users.shape[0]
        choice = um.choose_agents(
            state.reputation[users], p.competition, p.temperature, p.epsilon, rng.random((n, 2)),
            state.last_agent[users], p.switching_cost,
        )  # fmt: skip
        last = state.last_topic[users]
        last = np.where(last >= 0, last, rng.integers(self.n_topics, size=n))
        by_topic = topic_table(items.topic, items.quality, self.n_topics, k)
        topic_ok = np.bincount(items.topic, minlength=self.n_topics) > 0
        fresh_key = self.item_age + rng.random(p.n_items) * 0.5
        return Round(
            users=users,
            agent_of=choice,
            theta=effective_interests(state.theta, state.satiation, users, p.satiation),
            last_topic=last,
            random=random_slates(p.n_items, k, rng.random((n, k)), rng.random((n, k))),
            popular=top_items(self.popularity + 1e-6 * items.quality, k),
            fresh=top_items(-fresh_key, k),
            by_topic=by_topic,
            topic_ok=topic_ok,
            one_hot=self._one_hot and int(topic_ok.sum()) >= k,
            choice_uniforms=rng.random(n),
            items=items,
            submitted=np.full((n, k), -1, dtype=np.int64) if self.items_mode else None,
        )

    # -- one round -----------------------------------------------------------------------
    def _play(self, rnd: Round, actions: Actions) -> tuple[IntArray, IntArray]:
        """``(slates[S, k], clicked slot[S] or −1)`` of ``actions`` in round ``rnd``."""
        p = self.params
        slates = build_slates(rnd, actions[rnd.agent_of], p.slate_size, p.affinity)
        affinity = slate_affinity(rnd.theta, rnd.items.vectors, slates, p.affinity)
        probs = click_probabilities(affinity, p.beta, p.position_bias, p.no_click)
        return slates, self.user_model.click(rnd, slates, sample_choice(probs, rnd.choice_uniforms))

    def _per_agent(self, rnd: Round, weights: FloatArray) -> FloatArray:
        totals = np.bincount(rnd.agent_of, weights=weights, minlength=self.n_agents)
        return np.asarray(totals, dtype=np.float64)

    def _gains(self, rnd: Round, slates: IntArray, slot: IntArray) -> tuple[FloatArray, IntArray]:
        clicked = slot >= 0
        item = slates[np.arange(slot.shape[0]), np.maximum(slot, 0)]
        return np.where(clicked, rnd.items.quality[item], 0.0), item

    def step(self, actions: Actions) -> StepResult:
        """Play one round (see the module docstring) and return per-agent clicks/n_users."""
        actions = self.check_actions(actions)
        p, state = self.params, self.users
        rnd = self.pending if self.items_mode else self._draw_round()
        slates, slot = self._play(rnd, actions)
        self.played, self.last_slates, self.last_clicked = rnd, slates, slot
        self.last_serial = self.user_serial[rnd.users]
        self.served_ever[rnd.users] = True
        clicked = (slot >= 0).astype(np.float64)
        gain, item = self._gains(rnd, slates, slot)
        diversity = intra_list_diversity(rnd.items.cosine, slates)
        served = self._per_agent(rnd, np.ones(rnd.users.shape[0]))
        clicks = self._per_agent(rnd, clicked)
        exposure = np.bincount(
            (rnd.agent_of[:, None] * p.n_providers + rnd.items.provider[slates]).ravel(),
            minlength=self.n_agents * p.n_providers,
        ).reshape(self.n_agents, p.n_providers)
        before, popularity = state.satisfaction[rnd.users].copy(), self.popularity.copy()
        churned, lengths = self._advance(rnd, slot, item, gain, clicked)
        outcome = RecommenderOutcome(
            served=served,
            clicks=clicks,
            quality=self._per_agent(rnd, gain),
            diversity=self._per_agent(rnd, diversity),
            satisfaction=self._per_agent(rnd, state.satisfaction[rnd.users] - before),
            churned=self._per_agent(rnd, churned.astype(np.float64)),
            provider_exposure=exposure.astype(np.float64),
            provider_share=np.bincount(rnd.items.provider, minlength=p.n_providers) / p.n_items,
            n_users=p.n_users,
        )
        cold = self.users.age[rnd.users] <= p.cold_start_rounds
        metrics = round_metrics(
            p, slates, clicked, gain, diversity, churned, lengths, exposure, cold
        )
        if p.extended:  # the metrics added after v0 (v0 configs keep v0's metrics)
            metrics.update(
                later_metrics(p, slates, popularity, state.satisfaction[rnd.users], served)
            )
        metrics.update(self.user_model.metrics())
        self._last = rnd
        self._arrivals()
        per_agent = np.stack([self._per_agent(rnd, w) for w in user_shares(p, state, rnd.users)])
        obs = observe(state.active, served, clicks, per_agent)
        if self.items_mode:
            self.pending = self._draw_round()
        info: dict[str, Any] = {"recommender": outcome, "metrics": metrics}
        return StepResult(obs=obs, rewards=clicks / p.n_users, info=info)

    def _advance(
        self, rnd: Round, slot: IntArray, item: IntArray, gain: FloatArray, clicked: FloatArray
    ) -> tuple[Any, IntArray]:
        """Apply the round's dynamics to the served users and the catalogue."""
        p, state, u = self.params, self.users, rnd.users
        hit = slot >= 0
        if p.drift:  # (fitted users live in latent space and do not drift)
            state.theta[u[hit]] = um.drift(state.theta[u[hit]], rnd.items.unit[item[hit]], p.drift)
        state.last_topic[u[hit]] = rnd.items.topic[item[hit]]
        state.last_agent[u] = rnd.agent_of
        if p.satiation:
            satiate(state.satiation, u, rnd.items.unit[item], clicked, p.satiation_recovery)
        state.satisfaction[u] = um.update_satisfaction(
            state.satisfaction[u], gain, p.boredom, p.patience
        )
        mask = np.zeros(p.n_users, dtype=bool)
        mask[u] = True
        full_gain = np.zeros(p.n_users)
        full_gain[u] = gain
        lengths = um.advance_sessions(state, mask, full_gain, p.session_refund, p.session_budget)
        um.update_reputation(state.reputation, u, rnd.agent_of, clicked, p.reputation_rate)
        state.age[u] += 1
        churned = state.satisfaction[u] <= 0.0
        state.active[u[churned]] = False
        self.popularity *= p.popularity_decay
        self.popularity += np.bincount(item[hit], minlength=p.n_items)
        self.item_age += 1
        return churned, lengths

    def _arrivals(self) -> None:
        p, rng, state = self.params, self._rng, self.users
        arrivals = ~state.active & (rng.random(p.n_users) < p.user_arrival)
        if arrivals.any():
            theta = self._draw_theta(int(arrivals.sum()), np.flatnonzero(arrivals))
            um.arrive(state, arrivals, theta, p.patience, p.session_budget)
            self.user_serial[arrivals] = self._new_serials(theta.shape[0])
            self.served_ever[arrivals] = False
        new = rng.random(p.n_items) < p.item_arrival
        if new.any():
            count = int(new.sum())
            features, quality = self.items.features.copy(), self.items.quality.copy()
            provider = self.items.provider.copy()
            features[new], quality[new], provider[new] = self._draw_items(count)
            self.items = self._make_items(features, quality, provider)
            self.item_age[new] = 0
            self.item_serial[new] = self._new_serials(count)
            self.popularity[new] = 0.0

    # -- counterfactuals -----------------------------------------------------------------
    def rewards_for(self, actions: Actions) -> Rewards:
        """Clicks per user slot of ``actions`` replaying the last round."""
        rnd = self._last
        _, slot = self._play(rnd, np.asarray(actions, dtype=np.int64))
        return self._per_agent(rnd, (slot >= 0).astype(np.float64)) / self.params.n_users

    def platform_welfare_for(self, actions: Actions) -> float:
        """``Σ click·q / n_users`` of ``actions`` replaying the last round."""
        rnd = self._last
        slates, slot = self._play(rnd, np.asarray(actions, dtype=np.int64))
        gain, _ = self._gains(rnd, slates, slot)
        return float(gain.sum() / self.params.n_users)

    def describe(self) -> str:
        """The rules in plain text."""
        p = self.params
        names = ", ".join(f"{k}={s}" for k, s in enumerate(self.metadata.action_names))
        if self.items_mode:
            names += f" — with {SUBMITTED}, the item slates you submitted for your users"
        return (
            f"Recommender platform: {p.n_agents} recommender agents compete for {p.n_users} "
            f"users over {p.n_items} items ({self.n_topics} topics, {p.n_providers} "
            f"providers). Each round you choose a slate strategy ({names}); each user you "
            f"serve sees {p.slate_size} items and clicks one or none (logit choice). Your "
            "reward is your clicks per user; users pick agents by reputation, drift toward "
            "what they consume and leave when unsatisfied."
        )

    def reconfigure(self, **changes: object) -> None:
        """Change behavioural parameters mid-run; sizes and data stay fixed."""
        for key in (*FIXED_SHAPE, "item_features"):
            if key in changes and changes[key] != getattr(self.params, key):
                raise ConfigError(f"game.params.{key}", changes[key], "cannot change mid-run")
        super().reconfigure(**changes)
