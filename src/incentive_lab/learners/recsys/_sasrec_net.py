"""The torch network of ``recsys_sasrec``: causal self-attention over recent items.

Imported only when a ``recsys_sasrec`` learner is built (torch is an optional extra).

SASRec (Kang & McAuley 2018, "Self-Attentive Sequential Recommendation", ICDM, §III),
as in the authors' reference code: input ``s = (s_1, …, s_n)`` (left-padded with the
padding id ``n_items``), embedding ``E = √d · M_s + P`` (item embeddings ``M``, learned
positions ``P``), dropout, padded positions zeroed; then ``b`` blocks of::

    Q = LN(x);   x = Q + MHA(Q, x, x)   (causal: position t attends to positions ≤ t)
    x = LN(x);   x = x + W₂·dropout(ReLU(W₁ x))   (dropout after each layer, as the code)
    x = x · mask

and a final ``LN``; ``F_t`` is the output at position ``t``. The relevance of item ``i`` after
``s_1..s_t`` is ``r_{i,t} = F_t · M_i`` (shared item embedding, §III-D). Loss (§III-E): binary
cross-entropy on every non-padded position's next item ``o_t`` against one sampled
negative ``j``: ``−[log σ(r_{o_t,t}) + log(1 − σ(r_{j,t}))]``, averaged over positions.

Impressions (``recsys_sasrec`` with ``impressions: true``): the loss above learns only from
click sequences, so a slate shown and not clicked teaches nothing. :meth:`SASRec.
impression_loss` is the pointwise log-loss of every shown item at the position the slate
was chosen from (the last position of the history before the step), label 1 for the
clicked item and 0 for the others: ``−Σ_r [y_r log σ(r_{s_r}) + (1 − y_r) log(1 −
σ(r_{s_r}))]``, averaged over users — the same binary cross-entropy as §III-E with the
shown-but-not-clicked items as negatives, the "not-to-recommend" use of negative feedback
in sequential recommenders of Wang et al. (2023), "Learning from negative user feedback
and measuring responsiveness for sequential recommenders", RecSys.

Padded keys are not masked beyond being zero vectors (as in the PyTorch port
``pmixer/SASRec.pytorch``), so a history with no item gives finite, user-independent
outputs rather than an all-masked softmax.
"""

from __future__ import annotations

import math

import torch
from torch import nn


class SASRec(nn.Module):  # type: ignore[misc]
    """Self-attentive sequential recommender (module docstring)."""

    def __init__(
        self, n_items: int, max_len: int, hidden: int, blocks: int, heads: int, dropout: float
    ) -> None:
        super().__init__()
        self.pad = n_items
        self.hidden = hidden
        self.item = nn.Embedding(n_items + 1, hidden, padding_idx=n_items)
        self.position = nn.Embedding(max_len, hidden)
        nn.init.normal_(self.item.weight, std=hidden**-0.5)  # √d·M has unit-scale entries
        with torch.no_grad():
            self.item.weight[n_items] = 0.0
        self.dropout = nn.Dropout(dropout)
        self.attention_norm = nn.ModuleList(nn.LayerNorm(hidden, eps=1e-8) for _ in range(blocks))
        self.attention = nn.ModuleList(
            nn.MultiheadAttention(hidden, heads, dropout=dropout, batch_first=True)
            for _ in range(blocks)
        )
        self.ffn_norm = nn.ModuleList(nn.LayerNorm(hidden, eps=1e-8) for _ in range(blocks))
        self.ffn = nn.ModuleList(
            nn.Sequential(
                nn.Linear(hidden, hidden),
                nn.ReLU(),
                nn.Dropout(dropout),
                nn.Linear(hidden, hidden),
                nn.Dropout(dropout),
            )
            for _ in range(blocks)
        )
        self.last_norm = nn.LayerNorm(hidden, eps=1e-8)

    def forward(self, seq: torch.Tensor) -> torch.Tensor:
        """``[B, L, d]``: ``F_t`` for every position of ``seq[B, L]`` (``L ≤ max_len``)."""
        length = seq.shape[1]
        mask = (seq != self.pad).unsqueeze(-1).float()
        x = self.item(seq) * math.sqrt(self.hidden) + self.position.weight[-length:][None]
        x = self.dropout(x) * mask
        causal = torch.triu(torch.ones(length, length, dtype=torch.bool), diagonal=1)
        for norm, attend, ffn_norm, ffn in zip(
            self.attention_norm, self.attention, self.ffn_norm, self.ffn, strict=True
        ):
            q = norm(x)
            out, _ = attend(q, x, x, attn_mask=causal, need_weights=False)
            x = ffn_norm(q + out)
            x = (x + ffn(x)) * mask
        return self.last_norm(x)  # type: ignore[no-any-return]

    def item_scores(self, last: torch.Tensor, n_items: int) -> torch.Tensor:
        """``[B, I]``: ``F · M_i`` for every real item, from ``last[B, d]``."""
        return last @ self.item.weight[:n_items].T

    def bce_loss(
        self, seq: torch.Tensor, positives: torch.Tensor, negatives: torch.Tensor
    ) -> torch.Tensor:
        """Mean BCE over non-padded target positions (module docstring).

        ``seq[B, L]`` inputs, ``positives[B, L]`` next items, ``negatives[B, L]`` sampled
        negatives; a position counts when both its input and its target are real items.
        """
        out = self.forward(seq)
        pos = (out * self.item(positives)).sum(-1)
        neg = (out * self.item(negatives)).sum(-1)
        valid = ((positives != self.pad) & (seq != self.pad)).float()
        loss = nn.functional.softplus(-pos) + nn.functional.softplus(
            neg
        )  # −log σ(x) = softplus(−x)
        return (loss * valid).sum() / valid.sum().clamp(min=1.0)

    def impression_loss(
        self, seq: torch.Tensor, slates: torch.Tensor, clicked: torch.Tensor
    ) -> torch.Tensor:
        """Log-loss of the shown items at the last position (module docstring).

        ``seq[S, L]`` the histories the slates were chosen from, ``slates[S, k]`` the shown
        items, ``clicked[S]`` the clicked slot (``−1``: none).
        """
        last = self.forward(seq)[:, -1]
        logits = torch.einsum("sd,skd->sk", last, self.item(slates))
        slots = torch.arange(slates.shape[1])[None, :]
        labels = (slots == clicked[:, None]).float()
        loss = nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction="none")
        return loss.sum(dim=1).mean()
