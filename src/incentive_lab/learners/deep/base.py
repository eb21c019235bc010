"""What ``ppo`` and ``dqn`` share: network parameters, torch set-up, the group layout.

Parameters (:class:`DeepParams`): ``share`` (one network for the whole group, the default,
or one per agent), ``agent_id`` (with sharing: a one-hot of the agent's player index inside
its copy, ``encoders.player_index``, concatenated after the encoder), the encoder's
``channels`` and ``kernel`` (CNN for ``[h, w, c]`` observations), the MLP's ``hidden`` and
``layers``, ``device`` (``auto``: CUDA when available, else CPU) and ``threads``
(``torch.set_num_threads``, process-wide; ``None`` leaves it alone).

Layout (:class:`DeepLearner`): the group's ``m`` rows go through every network in one
batched forward, as ``[G, m/G, ...]`` with ``G = 1`` (shared) or ``G = m`` (separate);
a batch ``[L, m, ...]`` of ``L`` stored steps becomes ``[G, (m/G)·L, ...]``.

Randomness: initial weights come from a ``torch.Generator`` seeded with one draw of the
learner's NumPy generator; every later draw (actions, ε, minibatch order, replay sampling)
uses that NumPy generator, so a seeded run on the CPU repeats itself bit for bit and a
pickled learner continues identically. (CUDA kernels may not be bit-reproducible.)
"""

from __future__ import annotations

from typing import Any, Literal, TypeVar

import numpy as np
from pydantic import Field

from incentive_lab.core.errors import ConfigError
from incentive_lab.core.learner import Learner, LearnerContext
from incentive_lab.core.params import Params
from incentive_lab.learners.deep.encoders import NetSpec, ObsPrep, build_net, player_index
from incentive_lab.learners.neural.torch_nets import setup_torch, torch_module


class DeepParams(Params):
    """Network parameters shared by ``ppo`` and ``dqn``."""

    share: bool = True
    """One network for every agent of the group (parameter sharing); false: one per agent."""
    agent_id: bool = False
    """With ``share``: append a one-hot of the agent's player index in its copy to the input."""
    hidden: int = Field(64, ge=1, le=4096)
    """Width of each fully connected hidden layer."""
    layers: int = Field(2, ge=0, le=8)
    """Fully connected hidden layers (tanh) after the encoder."""
    channels: tuple[int, ...] = Field((16, 32), max_length=6)
    """Output channels of the CNN's 2-D convolutions (``[h, w, c]`` observations only)."""
    kernel: int = Field(3, ge=1, le=11)
    """Side of the square convolution kernels (stride 1, 'same' zero padding)."""
    device: Literal["auto", "cpu", "cuda"] = "auto"
    """Where the networks live (``auto``: CUDA when available, else the CPU)."""
    threads: int | None = Field(1, ge=1, le=256)
    """``torch.set_num_threads`` at construction (process-wide); ``None``: leave as is."""


P = TypeVar("P", bound=DeepParams)


class DeepLearner(Learner[P]):
    """Torch set-up and the ``[G, R, ...]`` layout (see the module docstring)."""

    learner_id = ""

    def setup(self, params: DeepParams, context: LearnerContext, rng: np.random.Generator) -> None:
        """Import torch, set threads, pick the device, prepare observations and agent ids."""
        lid = self.learner_id
        if any(c < 1 for c in params.channels):
            raise ConfigError("learner.params.channels", list(params.channels), "positive ints")
        if params.agent_id and not params.share:
            raise ConfigError("learner.params.agent_id", True, "only with share: true")
        torch, self.generator = setup_torch(lid, params.threads, rng)
        if params.device == "cuda" and not torch.cuda.is_available():
            raise ConfigError("learner.params.device", "cuda", "auto or cpu (no CUDA device)")
        cuda = params.device == "cuda" or (params.device == "auto" and torch.cuda.is_available())
        self.device = torch.device("cuda" if cuda else "cpu")
        self.prep = ObsPrep(context.observation_space, "learner.id", lid)
        m = context.n_agents
        self.m = m
        self.groups = 1 if params.share else max(m, 1)
        index, k = player_index(context.copies, context.agents)
        self.player, self.copy_size = index, k
        self.ids: Any = None
        if params.agent_id:
            self.ids = self.tensor(np.eye(k, dtype=np.float32)[index])

    def spec(self, shape: tuple[int, ...], out: int, ids: int, gain: float, gru: bool) -> NetSpec:
        """The :class:`NetSpec` of one network of this learner."""
        p: DeepParams = self.params
        return NetSpec(
            shape=shape,
            out=out,
            hidden=p.hidden,
            layers=p.layers,
            channels=p.channels,
            kernel=p.kernel,
            ids=ids,
            gru=gru,
            gain_head=gain,
        )

    def net(self, spec: NetSpec) -> Any:
        """A freshly initialised network with this learner's groups and device."""
        return build_net(spec, self.groups, self.generator, self.device)

    def tensor(self, array: Any) -> Any:
        """``array`` as a torch tensor on the learner's device."""
        return torch_module().from_numpy(np.ascontiguousarray(array)).to(self.device)

    def rows(self, x: Any) -> Any:
        """``[m, ...]`` → ``[G, m/G, ...]``."""
        return x.reshape(self.groups, -1, *x.shape[1:])

    def batch(self, x: Any) -> Any:
        """``[L, m, ...]`` → ``[G, (m/G)·L, ...]`` (agent-major inside each group)."""
        return x.transpose(0, 1).reshape(self.groups, -1, *x.shape[2:])

    def sequence(self, x: Any) -> Any:
        """``[L, m, ...]`` → ``[L, G, m/G, ...]``."""
        return x.reshape(x.shape[0], self.groups, -1, *x.shape[2:])

    def batch_ids(self, ids: Any, length: int) -> Any:
        """``ids[m, k]`` repeated for ``length`` steps in :meth:`batch` layout, or ``None``."""
        return None if ids is None else self.batch(ids[None].expand(length, *ids.shape))

    def numpy(self, x: Any) -> np.ndarray[Any, Any]:
        """``[G, R, k]`` → ``float64[m, k]`` on the CPU."""
        return np.asarray(x.detach().reshape(self.m, -1).cpu().numpy(), dtype=np.float64)
