"""Capabilities: what a unit offers or needs, declared rather than probed.

A game *offers* capabilities (a known model of itself, a published outcome in ``info``, a
differentiable form…); a learner or mechanism *requires* some of them. The declarations live
in one place per unit — the ``capabilities`` class attribute of a game or mechanism class, and
the ``requires`` of a registration — and the experiment resolver checks them before any run
starts: ``subsample_q`` on ``public_goods`` is refused at load time with one line naming the
missing capability and the games that offer it, not after the progress bar starts.

Each capability names the attribute or ``info`` key through which it is delivered, so code
that needs it reads it with :func:`provided` (which fails loudly when a unit declares what it
does not have) instead of ``getattr(game, name, None)``.

=====================  ================================================================
capability             what the game offers
=====================  ================================================================
``tabular_model``      ``game.tabular_model``: finite-horizon tables (``core.tabular_model``)
``generative_model``   ``game.generative``: a sampler of any state (``core.generative``)
``differentiable``     ``game.differentiable``: per-player losses in torch (``core.differentiable``)
``local_payoffs``      ``game.overlapping_groups()``: the current local payoff structure
``payoff_tensor``      ``game.payoff_tensor``: the one-shot normal form of a copy
``auction_outcome``    ``info["auction"]``: allocations, bids and values (``core.outcomes``)
``routing_outcome``    ``info["routing"]``: route loads and latencies (``core.outcomes``)
``recommender_outcome`` ``info["recommender"]``: slates, clicks, exposure (``core.recommendation``)
``public_goods_outcome`` ``info["public_goods"]``: groups, contributions, multipliers
``bottleneck_model``   ``game.bottleneck_model``: slot grid, capacity, cost constants
``slate_choice``       ``game.slate_choice``: submit slates, read clicks (``core.slate_choice``)
``global_state``       ``game.global_state()``: ``[n_copies, ...]`` state of every copy (MAPPO)
``logged_interactions`` ``game.logged_interactions``: positives logged before the run
                       (``core.logged_interactions``), for warm starts
``scripted_policy``    ``game.scripted_policy``: named bots acting from the game's state
                       (``core.scripted``)
=====================  ================================================================

Mechanisms may offer ``loss_shaping`` (a differentiable ``shape_losses``) — what gradient-play
learners need from any mechanism that changes their rewards.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any


class Capability(StrEnum):
    """One declared capability (the value is the name users see in messages and ``list``)."""

    TABULAR_MODEL = "tabular_model"
    GENERATIVE_MODEL = "generative_model"
    DIFFERENTIABLE = "differentiable"
    LOCAL_PAYOFFS = "local_payoffs"
    PAYOFF_TENSOR = "payoff_tensor"
    AUCTION_OUTCOME = "auction_outcome"
    ROUTING_OUTCOME = "routing_outcome"
    RECOMMENDER_OUTCOME = "recommender_outcome"
    PUBLIC_GOODS_OUTCOME = "public_goods_outcome"
    BOTTLENECK_MODEL = "bottleneck_model"
    LOSS_SHAPING = "loss_shaping"
    SCRIPTED_POLICY = "scripted_policy"
    SLATE_CHOICE = "slate_choice"
    GLOBAL_STATE = "global_state"
    LOGGED_INTERACTIONS = "logged_interactions"


ATTRIBUTE: dict[Capability, str] = {
    Capability.TABULAR_MODEL: "tabular_model",
    Capability.GENERATIVE_MODEL: "generative",
    Capability.DIFFERENTIABLE: "differentiable",
    Capability.LOCAL_PAYOFFS: "overlapping_groups",
    Capability.PAYOFF_TENSOR: "payoff_tensor",
    Capability.BOTTLENECK_MODEL: "bottleneck_model",
    Capability.LOSS_SHAPING: "shape_losses",
    Capability.SCRIPTED_POLICY: "scripted_policy",
    Capability.GLOBAL_STATE: "global_state",
    Capability.SLATE_CHOICE: "slate_choice",
    Capability.LOGGED_INTERACTIONS: "logged_interactions",
}
"""The attribute through which a unit delivers a capability (outcomes travel in ``info``)."""

INFO_KEY: dict[Capability, str] = {
    Capability.AUCTION_OUTCOME: "auction",
    Capability.ROUTING_OUTCOME: "routing",
    Capability.RECOMMENDER_OUTCOME: "recommender",
    Capability.PUBLIC_GOODS_OUTCOME: "public_goods",
}
"""The ``StepResult.info`` key under which a game publishes an outcome capability."""

DESCRIPTION: dict[Capability, str] = {
    Capability.TABULAR_MODEL: "the game's finite-horizon tables",
    Capability.GENERATIVE_MODEL: "a generative model that samples any state",
    Capability.DIFFERENTIABLE: "a differentiable model of the game",
    Capability.LOCAL_PAYOFFS: "the game's local (overlapping-group) payoff structure",
    Capability.PAYOFF_TENSOR: "a normal-form payoff tensor",
    Capability.AUCTION_OUTCOME: "auction outcomes (allocations, bids, values)",
    Capability.ROUTING_OUTCOME: "routing outcomes (loads, latencies)",
    Capability.RECOMMENDER_OUTCOME: "recommendation outcomes (slates, clicks, exposure)",
    Capability.PUBLIC_GOODS_OUTCOME: "public goods outcomes (groups, contributions)",
    Capability.BOTTLENECK_MODEL: "a departure-time bottleneck (slots, capacity, costs)",
    Capability.LOSS_SHAPING: "a differentiable reward shaping (shape_losses)",
    Capability.SCRIPTED_POLICY: "scripted bots that act from the game's state",
    Capability.GLOBAL_STATE: "the global state of each copy (global_state(): [n_copies, ...])",
    Capability.SLATE_CHOICE: "a slate channel: agents submit item slates and read their clicks",
    Capability.LOGGED_INTERACTIONS: "user-item interactions logged before the run (warm starts)",
}
"""One line per capability, for error messages and ``incentive-lab list``."""

Capabilities = frozenset[Capability]


def capabilities(values: Iterable[Capability | str]) -> Capabilities:
    """A validated set of capabilities (strings are accepted by their value)."""
    out = set()
    for value in values:
        try:
            out.add(Capability(value))
        except ValueError:
            allowed = ", ".join(c.value for c in Capability)
            raise ValueError(f"unknown capability {value!r} (allowed: {allowed})") from None
    return frozenset(out)


def provided(unit: Any, capability: Capability) -> Any:
    """What ``unit`` delivers for ``capability`` it declares, or ``None`` if it declares none.

    ``unit`` is a game or mechanism instance whose ``offers()`` says what it offers. A unit
    that declares a capability but lacks its attribute is a broken declaration and raises
    ``TypeError`` (the contract checks of ``incentive_lab.testing`` catch it first).
    """
    if capability not in unit.offers():
        return None
    name = ATTRIBUTE[capability]
    try:
        return getattr(unit, name)
    except AttributeError:
        raise TypeError(
            f"{type(unit).__name__} declares capability {capability.value!r} but has no "
            f"attribute {name!r}"
        ) from None
