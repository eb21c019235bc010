"""A plugin author runs ``check_learner`` on a learner in their own file, unregistered.

The learner is written to a temporary module and checked in a fresh interpreter
(``python -c``), the way a user would, without pytest: importing ``incentive_lab.testing``
pulls in neither pytest, hypothesis nor torch.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

PLUGIN = '''
"""A user's epsilon-greedy learner, not registered anywhere."""

import numpy as np
from pydantic import Field

from incentive_lab.core import Learner, Params


class EpsilonParams(Params):
    """Parameters of the plugin."""

    epsilon: float = Field(0.1, ge=0.0, le=1.0)
    """Exploration probability."""


class EpsilonGreedy(Learner[EpsilonParams]):
    """Tabular epsilon-greedy Q-values per agent and observation."""

    def __init__(self, params, context, rng):
        super().__init__(params, context, rng)
        self.q = np.zeros((context.n_agents, context.n_states or 1, context.n_actions))

    def act(self, obs):
        obs = np.asarray(obs, dtype=np.int64)
        greedy = self.q[np.arange(self.n_agents), obs].argmax(axis=1)
        explore = self.rng.random(self.n_agents) < self.params.epsilon
        other = self.rng.integers(0, self.context.n_actions, self.n_agents)
        return np.where(explore, other, greedy).astype(np.int64)

    def update(self, transition):
        idx = np.arange(self.n_agents)
        cell = (idx, transition.obs, transition.actions)
        self.q[cell] += 0.1 * (transition.rewards - self.q[cell])
        return {"mean_q": float(self.q.mean())}


class Forgetful(EpsilonGreedy):
    """Keeps a lambda: it cannot be pickled."""

    def __init__(self, params, context, rng):
        super().__init__(params, context, rng)
        self.decay = lambda q: 0.99 * q
'''


def run(tmp_path: Path, code: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "my_plugin.py").write_text(textwrap.dedent(PLUGIN))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_a_plugin_author_checks_an_unregistered_learner(tmp_path):
    done = run(
        tmp_path,
        """
        import sys
        from my_plugin import EpsilonGreedy, EpsilonParams
        from incentive_lab.testing import check_learner

        print(check_learner(EpsilonGreedy, EpsilonParams(epsilon=0.2)))
        print(check_learner(EpsilonGreedy, {"epsilon": 0.3}, steps=12))  # model inferred
        print("heavy:", sorted({"pytest", "hypothesis", "torch"} & set(sys.modules)))
        """,
    )
    assert done.returncode == 0, done.stderr
    assert "learner 'EpsilonGreedy':" in done.stdout and "checks passed" in done.stdout
    assert "heavy: []" in done.stdout


def test_a_broken_plugin_fails_with_one_clear_message(tmp_path):
    done = run(
        tmp_path,
        """
        from my_plugin import Forgetful
        from incentive_lab.testing import check_learner

        check_learner(Forgetful, {"epsilon": 0.2})
        """,
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("incentive_lab.testing.report.ContractError: learner 'Forgetful'")
    assert "pickle round trip" in last and "lambda" in last
