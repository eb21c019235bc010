"""What recommender games publish and what their agents and platform mechanisms may rely on.

A recommender *agent* (a channel, a provider's feed, an algorithm) chooses, each step, one
**slate strategy** out of :data:`SLATE_STRATEGIES`; the game turns that choice into a
personalised slate for every user the agent serves. So the ``Game`` contract of one
``int64`` action per agent holds unchanged: the action is the strategy's index. Learners
(``fixed`` with ``policy``, bandits) and mechanisms only need this vocabulary, never the game.

Strategies (index: name)
    ``0 random``   ``k`` items uniformly without replacement, per user;
    ``1 popular``  the ``k`` items with the most recency-weighted clicks (same for all users);
    ``2 oracle``   the ``k`` items of highest true affinity for the user (ties: quality);
    ``3 diverse``  one item from each of the user's ``k`` favourite topics (best quality);
    ``4 fresh``    the ``k`` newest items (cold-start exposure);
    ``5 similar``  the best-quality items of the topic the user last clicked (content-based).

``RecommenderOutcome`` (``info["recommender"]``), arrays over the ``n`` agents
    ``served[i]``: users served (slates shown); ``clicks[i]``: clicks; ``quality[i]``: the
    summed quality of clicked items; ``diversity[i]``: summed intra-list diversity of its
    slates; ``satisfaction[i]``: summed change of its users' latent satisfaction;
    ``churned[i]``: its users who left; ``provider_exposure[i, p]``: slate slots given to
    provider ``p``; ``provider_share[p]``: provider ``p``'s share of the catalogue;
    ``n_users``: user slots (the normaliser of rewards).

``RecommenderRules`` is the runtime-checkable protocol platform mechanisms check at
construction (``isinstance(game, RecommenderRules)``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from incentive_lab.core.types import Actions, FloatArray

SLATE_STRATEGIES: tuple[str, ...] = ("random", "popular", "oracle", "diverse", "fresh", "similar")
"""The actions of every recommender agent, in index order."""


def strategy_index(name: str) -> int:
    """The action index of the slate strategy ``name`` (``ValueError`` if unknown)."""
    return SLATE_STRATEGIES.index(name)


@dataclass(frozen=True)
class RecommenderOutcome:
    """One step of a recommender platform, per agent (see the module docstring)."""

    served: FloatArray
    clicks: FloatArray
    quality: FloatArray
    diversity: FloatArray
    satisfaction: FloatArray
    churned: FloatArray
    provider_exposure: FloatArray
    provider_share: FloatArray
    n_users: int


@runtime_checkable
class RecommenderRules(Protocol):
    """A recommender game's static rules and its platform-welfare counterfactual."""

    @property
    def n_providers(self) -> int:
        """Number of content providers owning the items."""
        ...

    def platform_welfare_for(self, actions: Actions) -> float:
        """Platform welfare of ``actions`` in the last step's context (no state change)."""
        ...
