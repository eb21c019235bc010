"""The torch networks of ``recsys_two_tower``: two towers and the logQ-corrected loss.

Imported only when a ``recsys_two_tower`` learner is built (torch is an optional extra).

Towers (Yi, Yang, Hong, Cheng, Heldt, Kumthekar, Zhao, Wei & Chi 2019, "Sampling-bias-
corrected neural modeling for large corpus item recommendations", RecSys, §3 and Fig. 2)
    user ``x = [e_u ; mean of h_j over the user's recent clicked items j]`` (id embedding
    and the average of history embeddings, the "watch history" input of Covington, Adams &
    Sargin 2016, "Deep neural networks for YouTube recommendations", RecSys), item
    ``y = [e_i ; W f_i]`` (id embedding and a linear map of the item's content features);
    each through an MLP ``Linear → ReLU → Linear`` and L2-normalised ("we found that
    normalizing the output embeddings improves trainability", §3). Score
    ``s(x, y) = ⟨u(x), v(y)⟩ / τ`` with temperature ``τ`` (§4.2).

Loss (§3, eq. (3)–(4), Algorithm 1): for a batch of ``B`` clicks ``(x_b, y_b)``, the
in-batch softmax over the batch's items with the logQ correction::

    s^c(x_b, y_j) = s(x_b, y_j) − log p_j
    L = −(1/B) Σ_b r_b · log( exp(s^c(x_b, y_b)) / Σ_j exp(s^c(x_b, y_j)) )

where ``p_j`` is the estimated probability that item ``j`` is in a batch (streaming
frequency estimation, :class:`~incentive_lab.learners.recsys.two_tower.FrequencyEstimator`)
and ``r_b`` the reward of the click (1 here). Given the items' ids, a column ``j ≠ b``
holding the same item as row ``b``'s positive (an "accidental hit": in a small catalogue
many clicks in a batch share an item) is left out of row ``b``'s softmax, as TensorFlow
Recommenders' ``Retrieval(remove_accidental_hits=True)`` does; otherwise the positive
would count as its own negative.

Impressions (``recsys_two_tower`` with ``impressions: true``): the in-batch softmax learns
only from clicks, so a slate that was shown and not clicked teaches nothing, and an item
never clicked is never anyone's negative. The slate loss is the likelihood of what the user
did with the slate it saw under the conditional (multinomial) logit with a no-click option
(McFadden 1974, "Conditional logit analysis of qualitative choice behavior"; the choice
model of RecSim and SlateQ, Ie et al. 2019, which the ``recommender`` game's users follow)::

    P(click s_r | slate) = exp(s(x, y_{s_r})) / (exp(c) + Σ_q exp(s(x, y_{s_q})))
    P(no click | slate)  = exp(c) / (same denominator)
    L_slate = −(1/S) Σ_u log P(observed choice of u | slate_u)

with the same score ``s = ⟨u, v⟩ / τ`` and a learned no-click utility ``c``
(:func:`slate_choice_loss`).

Options added later (off by default; the default network draws the same initial weights):

* ``skips > 0``: the user tower also reads the mean embedding ``g_j`` of the user's recent
  *skipped* items (shown in a slate and not clicked), ``x = [e_u ; mean h ; mean g]`` — the
  "unclick" feedback sequence of Xie, Zhang, Wang, Lin & Lin 2021, "Deep feedback network
  for recommendation" (IJCAI 2020), which adds impressed-but-not-clicked items to the
  user's clicked ones as implicit negative feedback. A user who has not clicked yet is
  otherwise represented by its id embedding alone, which moves by about one step size per
  round, so a new user who ignores what it is shown keeps being shown the same.
* ``item_bias``: a per-item scalar ``b_i`` added to every score, ``s(x, y_i) = ⟨u, v_i⟩ / τ
  + b_i`` — the item bias of biased matrix factorisation (Koren, Bell & Volinsky 2009,
  "Matrix factorization techniques for recommender systems", IEEE Computer 42(8), eq. (3))
  and the alternative-specific constant of the conditional logit (McFadden 1974); it enters
  both losses (initialised at 0, no random draw).
* ``user_ids=False`` (``recsys_two_tower``'s ``user_id: false``): no user id embedding, the
  user tower reads only the user's recent items, ``x = [mean h (; mean g)]`` — the YouTube
  candidate-generation tower of Covington et al. 2016 (§3.1: "a user's watch history is
  represented by a variable-length sequence of sparse video IDs ... averaged"; no user id),
  and the "seed video" user features of Yi et al. 2019 (§5.2). Everything the tower learns
  is shared across users, so a user's first clicks (or skips) move its embedding at once; a
  user with an empty history gets the one embedding the tower has learned for "no history
  yet" (the network's output for the zero input) instead of a random one.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


def logq_softmax_loss(
    user: torch.Tensor,
    item: torch.Tensor,
    log_q: torch.Tensor,
    temperature: float,
    reward: torch.Tensor | None = None,
    ids: torch.Tensor | None = None,
    bias: torch.Tensor | None = None,
) -> torch.Tensor:
    """The batch loss ``L`` (module docstring).

    ``user[B, d]`` and ``item[B, d]`` (row ``b``: a click), ``log_q[B]`` the log sampling
    probability of item ``b``, ``reward[B]`` (default ones), ``ids[B]`` the items' ids
    (given: accidental hits are removed), ``bias[B]`` the items' biases ``b_j`` (given: added
    to column ``j``'s score).
    """
    logits = user @ item.T / temperature - log_q[None, :]
    if bias is not None:
        logits = logits + bias[None, :]
    if ids is not None:
        hit = ids[:, None] == ids[None, :]
        hit.fill_diagonal_(False)
        logits = logits.masked_fill(hit, float("-inf"))
    log_softmax = torch.log_softmax(logits, dim=1).diagonal()
    weight = torch.ones_like(log_softmax) if reward is None else reward
    return -(weight * log_softmax).mean()


def slate_choice_loss(
    user: torch.Tensor,
    slate: torch.Tensor,
    clicked: torch.Tensor,
    no_click: torch.Tensor,
    temperature: float,
    bias: torch.Tensor | None = None,
) -> torch.Tensor:
    """``L_slate`` (module docstring): the conditional-logit NLL of the observed choices.

    ``user[S, d]`` unit user embeddings, ``slate[S, k, d]`` unit item embeddings of the
    shown slates, ``clicked[S]`` the clicked slot (``−1``: no click), ``no_click`` the
    no-click utility ``c`` (a 1-element tensor), ``bias[S, k]`` the shown items' biases.
    """
    logits = torch.einsum("sd,skd->sk", user, slate) / temperature
    if bias is not None:
        logits = logits + bias
    options = torch.cat([no_click.reshape(1, 1).expand(logits.shape[0], 1), logits], dim=1)
    return nn.functional.cross_entropy(options, clicked + 1)


class TwoTower(nn.Module):  # type: ignore[misc]
    """User and item towers (module docstring); ``n_items`` is the history padding id."""

    def __init__(
        self,
        n_users: int,
        n_items: int,
        n_features: int,
        dim: int,
        hidden: int,
        no_click: bool = False,
        skips: bool = False,
        item_bias: bool = False,
        user_ids: bool = True,
    ) -> None:
        super().__init__()
        self.pad = n_items
        # without user ids the table is still drawn (the other tables' initial draws stay
        # those of the default network) but never read
        self.user_id = nn.Embedding(n_users, dim)
        self.user_ids = user_ids
        self.history = nn.Embedding(n_items + 1, dim, padding_idx=n_items)
        self.item_id = nn.Embedding(n_items, dim)
        self.content = nn.Linear(n_features, dim)
        width = ((3 if skips else 2) - (0 if user_ids else 1)) * dim
        self.user_mlp = nn.Sequential(nn.Linear(width, hidden), nn.ReLU(), nn.Linear(hidden, dim))
        self.item_mlp = nn.Sequential(nn.Linear(2 * dim, hidden), nn.ReLU(), nn.Linear(hidden, dim))
        for table in (self.user_id, self.history, self.item_id):
            nn.init.normal_(table.weight, std=0.1)
        with torch.no_grad():
            self.history.weight[n_items] = 0.0
        if no_click:  # the slate loss's no-click utility c (created last: same init draws)
            self.no_click = nn.Parameter(torch.zeros(1))
        self.skip: nn.Embedding | None = None
        if skips:  # skipped items' embeddings (without skips: the default draws)
            self.skip = nn.Embedding(n_items + 1, dim, padding_idx=n_items)
            nn.init.normal_(self.skip.weight, std=0.1)
            with torch.no_grad():
                self.skip.weight[n_items] = 0.0
        self.bias = nn.Parameter(torch.zeros(n_items)) if item_bias else None

    def mean_of(self, table: nn.Embedding, items: torch.Tensor) -> torch.Tensor:
        """``[S, d]``: the mean embedding of the real (non-padding) ids of ``items[S, L]``."""
        real = (items != self.pad).float()
        return table(items).sum(dim=1) / real.sum(dim=1, keepdim=True).clamp(min=1.0)

    def users(
        self, ids: torch.Tensor, histories: torch.Tensor, skipped: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``[S, d]`` unit user embeddings of slots ``ids[S]`` with ``histories[S, L]``.

        ``skipped[S, L']``: the users' recent skipped items (needed iff built with ``skips``).
        """
        parts = [self.mean_of(self.history, histories)]
        if self.user_ids:
            parts.insert(0, self.user_id(ids))
        if self.skip is not None:
            if skipped is None:
                raise ValueError("a tower built with skips needs the skipped items")
            parts.append(self.mean_of(self.skip, skipped))
        out = self.user_mlp(torch.cat(parts, dim=1))
        return nn.functional.normalize(out, dim=1)

    def item_bias(self, ids: torch.Tensor) -> torch.Tensor | None:
        """``b[ids]`` (same shape as ``ids``), or ``None`` without ``item_bias``."""
        return None if self.bias is None else self.bias[ids]

    def items(self, ids: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        """``[N, d]`` unit item embeddings of items ``ids[N]`` with ``features[N, F]``."""
        out = self.item_mlp(torch.cat([self.item_id(ids), self.content(features)], dim=1))
        return nn.functional.normalize(out, dim=1)

    def reset_rows(self, table: str, rows: Any, generator: torch.Generator) -> None:
        """Re-draw rows of ``user_id`` or ``item_id`` (a new user or item in the slot)."""
        weight = getattr(self, table).weight
        with torch.no_grad():
            fresh = torch.randn(len(rows), weight.shape[1], generator=generator) * 0.1
            weight[torch.as_tensor(rows)] = fresh
            if table == "item_id" and self.bias is not None:  # a new item starts unbiased
                self.bias[torch.as_tensor(rows)] = 0.0
