"""BPR-MF trained as RecBole trains it: mean BPR loss, dense Adam, one uniform negative.

What RecBole 1.2.1's ``BPR`` model and trainer do on a set of implicit positives
``(u, i)`` (``recbole/model/general_recommender/bpr.py``, ``recbole/model/loss.py``
``BPRLoss``, ``recbole/trainer/trainer.py``, ``recbole/properties/overall.yaml``), after
Rendle, Freudenthaler, Gantner & Schmidt-Thieme (2009), "BPR: Bayesian personalized ranking
from implicit feedback", UAI:

* score ``x̂_ui = p_u·q_i`` (``+ b_i`` with item biases, an extension);
* initialisation: ``xavier_normal_`` of each embedding table ``[n, f]``, i.e.
  ``N(0, 2/(n + f))`` (Glorot & Bengio 2010; RecBole's tables have one padding row more);
* every epoch the positives are shuffled and cut into batches of 2,048; each positive gets
  one negative ``j`` drawn uniformly from the items the user has *no* positive with
  (RecBole's ``Sampler`` redraws negatives that are among the user's training items);
* the loss of a batch of ``T`` triples is the mean ``−(1/T) Σ ln σ(x̂_uij)`` (RecBole adds
  ``γ = 10⁻¹⁰`` inside the log, negligible), plus, if ``reg = λ > 0``, the per-triple L2
  term ``(λ/2)(‖p_u‖² + ‖q_i‖² + ‖q_j‖² + b_i² + b_j²)`` averaged likewise (RecBole's BPR
  has none: ``weight_decay: 0``). With ``g = σ(−x̂_uij)`` its gradients are::

      ∂p_u = (−g (q_i − q_j) + λ p_u)/T     ∂q_i = (−g p_u + λ q_i)/T     ∂b_i = (−g + λ b_i)/T
                                            ∂q_j = ( g p_u + λ q_j)/T     ∂b_j = ( g + λ b_j)/T

  summed over the triples that share a row;
* one step of ``torch.optim.Adam`` on the *dense* tables (Kingma & Ba 2015, "Adam: a method
  for stochastic optimization", ICLR, Algorithm 1; lr ``α = 0.001``, ``β₁ = 0.9``,
  ``β₂ = 0.999``, ``ε = 10⁻⁸``)::

      m ← β₁ m + (1 − β₁) ∂        v ← β₂ v + (1 − β₂) ∂²
      θ ← θ − α (m / (1 − β₁ᵗ)) / (√(v / (1 − β₂ᵗ)) + ε)

  every row moves, also rows without a gradient in this batch (their moments decay), as
  for torch's dense embeddings.

:func:`bpr_epochs` yields the model after every epoch, so the caller chooses the horizon:
RecBole stops when the valid NDCG@10 has not improved for 10 epochs and keeps the best
model (``benchmarks/bench_recommender_offline.py``); a warm start that must not read the
valid part runs a fixed number of epochs (``learners.recsys.bpr``).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np

from incentive_lab.core.types import BoolArray, FloatArray, IntArray

BATCH = 2048
"""RecBole's ``train_batch_size``."""
ADAM_LR = 0.001
"""RecBole's ``learning_rate``."""


@dataclass
class Adam:
    """``torch.optim.Adam`` state of some arrays (module docstring): moments and step count."""

    lr: float = ADAM_LR
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8
    steps: int = 0
    first: list[FloatArray] = field(default_factory=list)
    second: list[FloatArray] = field(default_factory=list)

    def step(self, params: list[FloatArray], grads: list[FloatArray]) -> None:
        """One Adam step in place on ``params`` (moments start at 0 on the first call)."""
        if not self.first:
            self.first = [np.zeros_like(p) for p in params]
            self.second = [np.zeros_like(p) for p in params]
        self.steps += 1
        fix1 = 1.0 - self.beta1**self.steps
        fix2 = 1.0 - self.beta2**self.steps
        for p, g, m, v in zip(params, grads, self.first, self.second, strict=True):
            m *= self.beta1
            m += (1.0 - self.beta1) * g
            v *= self.beta2
            v += (1.0 - self.beta2) * g * g
            p -= self.lr * (m / fix1) / (np.sqrt(v / fix2) + self.eps)

    def reset_rows(self, rows: IntArray, which: int) -> None:
        """Zero the moments of ``rows`` of parameter ``which`` (a new user or item)."""
        if self.first:
            self.first[which][rows] = 0.0
            self.second[which][rows] = 0.0


def xavier_normal(rows: int, cols: int, rng: np.random.Generator) -> FloatArray:
    """``N(0, 2/(rows + cols))`` of shape ``[rows, cols]`` (``torch.nn.init.xavier_normal_``)."""
    return np.sqrt(2.0 / (rows + cols)) * rng.standard_normal((rows, cols))


def bpr_gradients(
    user: FloatArray,
    item: FloatArray,
    bias: FloatArray | None,
    triples: tuple[IntArray, IntArray, IntArray],
    reg: float,
) -> tuple[float, list[FloatArray]]:
    """``(mean ln σ(x̂_uij), [∂user, ∂item, ∂bias])`` of the loss of ``triples``.

    The gradients are those of the mean loss with its L2 term (module docstring); the
    returned fit is the mean log-likelihood ``ln σ(x̂_uij)`` alone. ``∂bias`` is all zeros
    when ``bias`` is ``None``.
    """
    u, i, j = triples
    t = max(u.shape[0], 1)
    pu, qi, qj = user[u], item[i], item[j]
    x = (pu * (qi - qj)).sum(axis=1)
    if bias is not None:
        x = x + bias[i] - bias[j]
    g = np.exp(-np.logaddexp(0.0, x))[:, None]  # σ(−x), without overflow
    fit = -float(np.logaddexp(0.0, -x).sum()) / t  # ln σ(x)
    d_user, d_item = np.zeros_like(user), np.zeros_like(item)
    d_bias = np.zeros(item.shape[0])
    np.add.at(d_user, u, (-g * (qi - qj) + reg * pu) / t)
    np.add.at(d_item, i, (-g * pu + reg * qi) / t)
    np.add.at(d_item, j, (g * pu + reg * qj) / t)
    if bias is not None:
        np.add.at(d_bias, i, (-g[:, 0] + reg * bias[i]) / t)
        np.add.at(d_bias, j, (g[:, 0] + reg * bias[j]) / t)
    return fit, [d_user, d_item, d_bias]


def sample_negatives(
    users: IntArray, positive: BoolArray, rng: np.random.Generator, tries: int = 100
) -> IntArray:
    """One item per user in ``users`` drawn uniformly among those with ``positive[u, j]`` false.

    Redraws collisions as RecBole's sampler does; a user with a positive on every item keeps
    its last draw after ``tries`` rounds.
    """
    n_items = positive.shape[1]
    neg: IntArray = np.asarray(rng.integers(n_items, size=users.shape[0]), dtype=np.int64)
    for _ in range(tries):
        bad = np.flatnonzero(positive[users, neg])
        if bad.shape[0] == 0:
            break
        neg[bad] = rng.integers(n_items, size=bad.shape[0])
    return neg


@dataclass
class BPRModel:
    """Factors ``user[U, f]``, ``item[I, f]``, ``bias[I]`` and their optimiser state."""

    user: FloatArray
    item: FloatArray
    bias: FloatArray
    adam: Adam

    def scores(self) -> FloatArray:
        """``float64[U, I]``: ``p_u·q_i + b_i`` for every pair."""
        return np.asarray(self.user @ self.item.T + self.bias[None, :], dtype=np.float64)


def bpr_epochs(
    pairs: tuple[IntArray, IntArray],
    shape: tuple[int, int],
    rng: np.random.Generator,
    factors: int = 64,
    lr: float = ADAM_LR,
    reg: float = 0.0,
    item_bias: bool = False,
    batch: int = BATCH,
) -> Iterator[tuple[BPRModel, float]]:
    """``(model, mean ln σ(x̂_uij))`` after each epoch of RecBole's BPR training on ``pairs``.

    ``pairs = (users, items)``: the positives; ``shape = (n_users, n_items)``. The model is
    updated in place between iterates (copy it to keep one).
    """
    n_users, n_items = shape
    users, items = (np.asarray(a, dtype=np.int64) for a in pairs)
    positive = np.zeros(shape, dtype=bool)
    positive[users, items] = True
    model = BPRModel(
        xavier_normal(n_users, factors, rng),
        xavier_normal(n_items, factors, rng),
        np.zeros(n_items),
        Adam(lr=lr),
    )
    while True:
        order = rng.permutation(users.shape[0])
        total = 0.0
        for start in range(0, order.shape[0], batch):
            rows = order[start : start + batch]
            u, i = users[rows], items[rows]
            triples = (u, i, sample_negatives(u, positive, rng))
            bias = model.bias if item_bias else None
            fit, grads = bpr_gradients(model.user, model.item, bias, triples, reg)
            model.adam.step([model.user, model.item, model.bias], grads)
            total += fit * rows.shape[0]
        yield model, total / max(users.shape[0], 1)
