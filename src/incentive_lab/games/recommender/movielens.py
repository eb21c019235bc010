"""MovieLens-100k users from data: RecBole's split, fitted preferences, offline NDCG / HR.

RecBole's time-ordered split, users fitted on its training part, and NDCG@10 / HR@10 on
the held-out ratings.

Split (what a RecBole 1.2.1 user gets with ``eval_args: {split: {RS: [0.8, 0.1, 0.1]},
order: TO, group_by: user, mode: full}`` on ``ml-100k``, every rating an implicit positive)
    the interactions are sorted by timestamp (a stable sort of the file order, as
    ``Interaction.sort``), grouped by user keeping that order, and each user's ``n``
    interactions cut into train / valid / test with RecBole's counts
    (``Dataset._calcu_split_ids``): ``c_j = ⌊r_j n⌋`` for ``j ≥ 1``, ``c_0 = n − Σ c_j``; then,
    last part first, a part with ``0 < r_j n < 1`` gets one interaction from train while
    train keeps more than one. See :func:`split_counts`.

Offline metrics (RecBole's full-sort ``NDCG@k`` and ``Hit@k``)
    every item is ranked for each user with test interactions; the user's train and valid
    items are masked (RecBole's ``history_item`` in the test phase); with ``T_u`` the test
    items and ``r`` the 1-based rank, ``HR@k = 1[some test item in the top k]`` and
    ``NDCG@k = Σ_{r ≤ k, item ∈ T_u} 1/log₂(r + 1) / Σ_{r=1}^{min(|T_u|, k)} 1/log₂(r + 1)``,
    both averaged over those users.

Fitted preferences (``preferences: fitted``)
    implicit-feedback ALS (Hu, Koren & Volinsky 2008, "Collaborative filtering for implicit
    feedback datasets", ICDM) on the *training* part only: preference ``p_ui = 1`` if ``u``
    rated ``i`` in train, else 0; confidence ``c_ui = 1 + α·p_ui``; alternate the closed
    forms ``x_u = (YᵀY + Yᵀ(C_u − I)Y + λI)⁻¹ Yᵀ C_u p_u`` and the same for ``y_i``. The
    game's user ``u`` is MovieLens user ``u`` with interests ``θ_u = x_u`` and item vectors
    ``y_i`` (the ``dot`` affinity ``a(u, i) = θ_u·y_i ≈ p_ui``), so the logit choice model
    (``games.recommender.choice``) clicks, among the slate and no click, what ALS predicts
    from the training ratings; nothing of valid or test reaches the simulation.

Logged interactions (capability ``logged_interactions``, ``core.logged_interactions``)
    what a platform would have logged before the run: the *training* pairs of the split whose
    user and item are in the simulation, in the game's indices (slot ``u`` = MovieLens user
    ``u``, item ``j`` = MovieLens item ``item_order[j]``), grouped by user in time order —
    the interactions the users' preferences were fitted on, so learners that warm-start from
    them (``warm_start: logged``) read exactly the training part, never valid or test
    (:meth:`FittedUsers.logged`).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path

import numpy as np

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.logged_interactions import LoggedInteractions
from incentive_lab.core.types import FloatArray, IntArray
from incentive_lab.games.recommender.data import ITEM_COLUMNS, _read, recbole_ml100k

INTER_COLUMNS = ("user_id:token", "item_id:token", "rating:float", "timestamp:float")
RECBOLE_RATIOS = (0.8, 0.1, 0.1)


@dataclass(frozen=True)
class Interactions:
    """Rows of ``ml-100k.inter`` in file order.

    ``users`` (index into the sorted user tokens, as ``data.calibrate``), ``items`` (index
    in ``ml-100k.item`` order), ``timestamps``; ``n_users``, ``n_items``.
    """

    users: IntArray
    items: IntArray
    timestamps: FloatArray
    n_users: int
    n_items: int


@dataclass(frozen=True)
class Split:
    """``(users, items)`` pairs of the train, valid and test parts."""

    train: tuple[IntArray, IntArray]
    valid: tuple[IntArray, IntArray]
    test: tuple[IntArray, IntArray]
    n_users: int
    n_items: int


def read_interactions(folder: Traversable | Path | None = None) -> Interactions:
    """``ml-100k.inter`` and ``ml-100k.item`` from ``folder`` (default: recbole's)."""
    folder = recbole_ml100k() if folder is None else folder
    inter = _read(folder, "ml-100k.inter", INTER_COLUMNS)
    items = _read(folder, "ml-100k.item", ITEM_COLUMNS)
    index = {item: k for k, item in enumerate(items["item_id:token"])}
    try:
        rated = np.asarray([index[i] for i in inter["item_id:token"]], dtype=np.int64)
        stamps = np.asarray(inter["timestamp:float"], dtype=np.float64)
    except (KeyError, ValueError) as error:
        raise ConfigError(
            "game.params.data (ml-100k.inter)", str(error), "numeric timestamps of listed items"
        ) from None
    tokens, users = np.unique(np.asarray(inter["user_id:token"]), return_inverse=True)
    return Interactions(users.astype(np.int64), rated, stamps, tokens.shape[0], len(index))


def split_counts(total: int, ratios: tuple[float, ...] = RECBOLE_RATIOS) -> list[int]:
    """RecBole's part sizes for ``total`` interactions (``Dataset._calcu_split_ids``)."""
    share = [r / sum(ratios) for r in ratios]
    count = [int(r * total) for r in share]
    count[0] = total - sum(count[1:])
    for j in range(1, len(share)):
        if count[0] <= 1:
            break
        if 0 < share[-j] * total < 1:
            count[-j] += 1
            count[0] -= 1
    return count


def recbole_split(inter: Interactions, ratios: tuple[float, ...] = RECBOLE_RATIOS) -> Split:
    """The per-user time-ordered split (module docstring)."""
    order = np.argsort(inter.timestamps, kind="stable")
    by_user = order[np.argsort(inter.users[order], kind="stable")]  # time order within user
    starts = np.searchsorted(inter.users[by_user], np.arange(inter.n_users))
    ends = np.append(starts[1:], by_user.shape[0])
    part = np.empty(by_user.shape[0], dtype=np.int64)
    for start, end in zip(starts, ends, strict=True):
        sizes = split_counts(int(end - start), ratios)
        part[start:end] = np.repeat(np.arange(len(sizes)), sizes)
    rows = [by_user[part == j] for j in range(3)]
    pairs = [(inter.users[r], inter.items[r]) for r in rows]
    return Split(pairs[0], pairs[1], pairs[2], inter.n_users, inter.n_items)


def ranking_metrics(scores: FloatArray, split: Split, k: int = 10) -> dict[str, float]:
    """``{"ndcg@k", "hr@k", "users"}`` of full-sort rankings ``scores[n_users, n_items]``."""
    masked = np.array(scores, dtype=np.float64, copy=True)
    for users, items in (split.train, split.valid):
        masked[users, items] = -np.inf
    test = np.zeros(masked.shape, dtype=bool)
    test[split.test] = True
    evaluated = np.flatnonzero(test.any(axis=1))
    part = np.argpartition(-masked[evaluated], k - 1, axis=1)[:, :k]
    ranked = np.take_along_axis(
        part, np.argsort(-np.take_along_axis(masked[evaluated], part, 1), axis=1, kind="stable"), 1
    )
    hits = test[evaluated[:, None], ranked]  # [users, k]
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)[np.minimum(test[evaluated].sum(axis=1), k) - 1]
    return {
        f"ndcg@{k}": float(((hits * discount).sum(axis=1) / ideal).mean()),
        f"hr@{k}": float(hits.any(axis=1).mean()),
        "users": float(evaluated.shape[0]),
    }


def fit_implicit_als(
    pairs: tuple[IntArray, IntArray],
    shape: tuple[int, int],
    factors: int = 16,
    reg: float = 0.1,
    alpha: float = 10.0,
    iterations: int = 10,
    seed: int = 0,
) -> tuple[FloatArray, FloatArray]:
    """``(X[U, f], Y[I, f])`` of implicit ALS on the positives ``pairs`` (module docstring)."""
    n_users, n_items = shape
    p = np.zeros(shape)
    p[pairs] = 1.0
    rng = np.random.default_rng(seed)
    x = 0.1 * rng.standard_normal((n_users, factors))
    y = 0.1 * rng.standard_normal((n_items, factors))
    for _ in range(iterations):
        x = _als_half(p, y, reg, alpha)
        y = _als_half(p.T, x, reg, alpha)
    return x, y


def _als_half(p: FloatArray, y: FloatArray, reg: float, alpha: float) -> FloatArray:
    """Every row's ``(YᵀY + αYᵀdiag(p)Y + λI)⁻¹ Yᵀ(1 + α)p`` (``C − I = α·diag(p)``)."""
    f = y.shape[1]
    gram = y.T @ y + reg * np.eye(f)
    outer = np.einsum("if,ig->ifg", y, y).reshape(y.shape[0], f * f)  # y_i y_iᵀ
    a = gram[None] + alpha * (p @ outer).reshape(p.shape[0], f, f)
    b = (1.0 + alpha) * p @ y
    return np.asarray(np.linalg.solve(a, b[:, :, None])[:, :, 0], dtype=np.float64)


@dataclass(frozen=True)
class FittedUsers:
    """The game's users and items fitted on the training part (``preferences: fitted``).

    ``theta[n_users, f]``: user ``u`` = MovieLens user ``u``; ``vectors[n_items, f]``: the
    game's item ``j`` is MovieLens item ``item_order[j]`` (items by decreasing number of
    ratings, as ``data.calibrate`` orders the catalogue); ``split``: the RecBole split.
    """

    theta: FloatArray
    vectors: FloatArray
    item_order: IntArray
    split: Split

    def offline_scores(self, scores: FloatArray) -> FloatArray:
        """``[943, 1682]`` MovieLens-indexed scores from the game's ``[n_users, n_items]``.

        Users and items outside the simulation get ``−∞``.
        """
        full = np.full((self.split.n_users, self.split.n_items), -np.inf)
        full[: scores.shape[0], self.item_order[: scores.shape[1]]] = scores
        return full

    def logged(self) -> LoggedInteractions:
        """The training pairs of the simulated users and items, in the game's indices."""
        n_users, n_items = self.theta.shape[0], self.vectors.shape[0]
        game_item = np.full(self.split.n_items, -1, dtype=np.int64)
        game_item[self.item_order[:n_items]] = np.arange(n_items)
        users, items = self.split.train
        keep = (users < n_users) & (game_item[items] >= 0)
        return LoggedInteractions(
            users=users[keep].copy(),
            items=game_item[items[keep]],
            n_users=n_users,
            n_items=n_items,
            source="MovieLens-100k, training part of RecBole's time-ordered 80/10/10 split",
        )


def fit_users(n_users: int, n_items: int, factors: int = 16, seed: int = 0) -> FittedUsers:
    """Split MovieLens-100k, fit implicit ALS on train (module docstring)."""
    inter = read_interactions()
    if n_users > inter.n_users:
        raise ConfigError("game.params.n_users", n_users, f"at most {inter.n_users} (fitted)")
    split = recbole_split(inter)
    x, y = fit_implicit_als(split.train, (split.n_users, split.n_items), factors, seed=seed)
    count = np.bincount(inter.items, minlength=inter.n_items)
    order = np.argsort(-count, kind="stable").astype(np.int64)
    return FittedUsers(x[:n_users], y[order[:n_items]], order, split)
