"""torch modules behind ``learners.deep.encoders`` (imported only when a network is built).

Every parameter has a leading group axis ``G``; inputs are ``[G, R, ...]``. See the
``encoders`` module docstring for the architecture and the initialisation.
"""

from __future__ import annotations

import math
from typing import Any

import torch
from torch import nn


class GroupedLinear(nn.Module):
    """``y[g] = x[g] @ W[g] + b[g]`` for ``x: [G, R, in]``."""

    def __init__(self, groups: int, fan_in: int, fan_out: int, gain: float) -> None:
        super().__init__()
        self.weight = nn.Parameter(torch.zeros(groups, fan_in, fan_out))
        self.bias = nn.Parameter(torch.zeros(groups, fan_out))
        self.gain = gain

    def initialise(self, generator: torch.Generator) -> None:
        with torch.no_grad():
            for g in range(self.weight.shape[0]):
                w = torch.empty(self.weight.shape[2], self.weight.shape[1])
                nn.init.orthogonal_(w, gain=self.gain, generator=generator)
                self.weight[g] = w.T
            self.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.baddbmm(self.bias[:, None, :], x, self.weight)


class GroupedConv(nn.Module):
    """A ``k×k`` convolution per group (stride 1, 'same' zero padding) of ``[G, R, c, h, w]``."""

    def __init__(self, groups: int, c_in: int, c_out: int, kernel: int, gain: float) -> None:
        super().__init__()
        self.groups, self.c_out = groups, c_out
        self.weight = nn.Parameter(torch.zeros(groups * c_out, c_in, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(groups * c_out))
        self.gain = gain

    def initialise(self, generator: torch.Generator) -> None:
        with torch.no_grad():
            for g in range(self.groups):
                block = self.weight[g * self.c_out : (g + 1) * self.c_out]
                w = torch.empty(block.shape[0], math.prod(block.shape[1:]))
                nn.init.orthogonal_(w, gain=self.gain, generator=generator)
                block.copy_(w.reshape(block.shape))
            self.bias.zero_()

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        g, r, c, h, w = x.shape
        merged = x.transpose(0, 1).reshape(r, g * c, h, w)
        y = nn.functional.conv2d(merged, self.weight, self.bias, padding="same", groups=self.groups)
        return y.reshape(r, g, self.c_out, *y.shape[2:]).transpose(0, 1)


class GroupedGRU(nn.Module):
    """A GRU cell per group (the gate equations of ``torch.nn.GRUCell``)."""

    def __init__(self, groups: int, size: int) -> None:
        super().__init__()
        self.inp = GroupedLinear(groups, size, 3 * size, 1.0)
        self.rec = GroupedLinear(groups, size, 3 * size, 1.0)

    def initialise(self, generator: torch.Generator) -> None:
        self.inp.initialise(generator)
        self.rec.initialise(generator)

    def forward(self, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
        xr, xz, xn = self.inp(x).chunk(3, dim=-1)
        hr, hz, hn = self.rec(h).chunk(3, dim=-1)
        r = torch.sigmoid(xr + hr)
        z = torch.sigmoid(xz + hz)
        n = torch.tanh(xn + r * hn)
        return (1.0 - z) * n + z * h


class Net(nn.Module):
    """Encoder (CNN or none) → agent id → tanh MLP → optional GRU → linear head."""

    def __init__(self, spec: Any, groups: int) -> None:
        super().__init__()
        self.spec, self.groups = spec, groups
        root2 = math.sqrt(2.0)
        convs: list[GroupedConv] = []
        if len(spec.shape) == 3:
            h, w, c = spec.shape
            for out in spec.channels:
                convs.append(GroupedConv(groups, c, out, spec.kernel, root2))
                c = out
            width = h * w * c
        else:
            width = spec.shape[0]
        self.convs = nn.ModuleList(convs)
        width += spec.ids
        hidden: list[GroupedLinear] = []
        for _ in range(spec.layers):
            hidden.append(GroupedLinear(groups, width, spec.hidden, root2))
            width = spec.hidden
        self.hidden = nn.ModuleList(hidden)
        self.gru = GroupedGRU(groups, width) if spec.gru else None
        self.width = width
        self.head = GroupedLinear(groups, width, spec.out, spec.gain_head)

    def initialise(self, generator: torch.Generator) -> None:
        for module in [*self.convs, *self.hidden, self.gru, self.head]:
            if module is not None:
                module.initialise(generator)

    def features(self, x: torch.Tensor, ids: torch.Tensor | None) -> torch.Tensor:
        """``[G, R, width]`` before the GRU and the head."""
        if self.convs:
            x = x.permute(0, 1, 4, 2, 3)
            for conv in self.convs:
                x = torch.relu(conv(x))
            x = x.flatten(2)
        if ids is not None:
            x = torch.cat([x, ids], dim=-1)
        for layer in self.hidden:
            x = torch.tanh(layer(x))
        return x

    def forward(
        self,
        x: torch.Tensor,
        ids: torch.Tensor | None = None,
        h: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """``(out[G, R, out], h')`` for one step (``h``: ``[G, R, width]`` with a GRU)."""
        z = self.features(x, ids)
        if self.gru is not None:
            assert h is not None
            h = self.gru(z, h)
            z = h
        return self.head(z), h

    def unroll(
        self,
        x: torch.Tensor,
        ids: torch.Tensor | None,
        h0: torch.Tensor,
        starts: torch.Tensor,
    ) -> torch.Tensor:
        """``out[T, G, R, out]`` over a sequence ``x[T, G, R, ...]`` from ``h0[G, R, width]``.

        ``starts[t]`` (``[G, R]``, 1.0 where step ``t`` begins an episode) zeroes the hidden
        state before step ``t``.
        """
        steps, groups, rows = x.shape[0], x.shape[1], x.shape[2]
        z = self.features(_merge(x), None if ids is None else _merge(ids))
        z = z.reshape(groups, steps, rows, -1).transpose(0, 1)
        assert self.gru is not None
        h, outs = h0, []
        for t in range(steps):
            h = self.gru(z[t], h * (1.0 - starts[t])[..., None])
            outs.append(h)
        stacked = torch.stack(outs)
        out = self.head(_merge(stacked))
        return out.reshape(groups, steps, rows, -1).transpose(0, 1)


def _merge(x: torch.Tensor) -> torch.Tensor:
    """``[T, G, R, ...]`` → ``[G, T·R, ...]`` (time-major inside each group)."""
    return x.transpose(0, 1).reshape(x.shape[1], x.shape[0] * x.shape[2], *x.shape[3:])
