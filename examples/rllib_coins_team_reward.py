"""Train RLlib's PPO on the Coin Game with a team reward, through ``interop.rllib``.

The game and mechanism are the package's own (``coins`` on the small 5×5 torus, two
players, 50-step episodes; ``team_reward``: each player is paid the copy's total), exposed
to RLlib as a ``MultiAgentEnv`` by :class:`incentive_lab.interop.rllib.IncentiveMultiAgentEnv`.
Both players share one policy (parameter sharing, as ``ppo``'s default). RLlib's new API
stack: ``PPOConfig().environment(IncentiveMultiAgentEnv, env_config=...)``; the callback
:class:`~incentive_lab.interop.rllib.IncentiveMetricsCallback` puts the package's episode
metrics (``own_coin_rate``, ``base_return`` — the collective return before shaping — and
``shaped_return``) into ``result["env_runners"]["incentive_lab"]``.

The default budget is tiny (2 iterations of 400 env steps each, local sampling, one CPU):
it shows the pipeline, not a result — on a cluster raise ``--iterations`` and set
``num_env_runners``. Needs ``pip install 'incentive-lab[rllib]'`` (``ray[rllib]``; Ray
2.60 pins gymnasium 1.2.2).

    python examples/rllib_coins_team_reward.py [--iterations 2] [--seed 0] [--mechanism none]
"""

from __future__ import annotations

import argparse
from typing import Any

ENV_CONFIG: dict[str, Any] = {
    "game": "coins",
    "params": {
        "preset": "small",
        "n_copies": 1,
        "episode_length": 50,
        "format": "flat",  # RLlib's default MLP encoder
        "dtype": "float32",
    },
    "mechanism": "team_reward",
}


def build_config(
    env_config: dict[str, Any], *, seed: int = 0, batch: int = 400, minibatch: int = 100
) -> Any:
    """A tiny-budget ``PPOConfig`` for ``env_config`` (one shared policy, local sampling)."""
    from ray.rllib.algorithms.ppo import PPOConfig
    from ray.rllib.core.rl_module.default_model_config import DefaultModelConfig

    from incentive_lab.interop.rllib import IncentiveMetricsCallback, IncentiveMultiAgentEnv

    return (
        PPOConfig()
        .environment(IncentiveMultiAgentEnv, env_config=env_config)
        .env_runners(num_env_runners=0, num_envs_per_env_runner=1)
        .learners(num_learners=0)
        .multi_agent(policies={"shared"}, policy_mapping_fn=lambda agent, *a, **k: "shared")
        .rl_module(model_config=DefaultModelConfig(fcnet_hiddens=[64, 64]))
        .training(
            train_batch_size_per_learner=batch,
            minibatch_size=minibatch,
            num_epochs=4,
            lr=5e-4,
            gamma=0.99,
            lambda_=0.95,
            entropy_coeff=0.01,
        )
        .callbacks(IncentiveMetricsCallback)
        .debugging(seed=seed)
        .reporting(metrics_num_episodes_for_smoothing=20)
    )


def train(iterations: int, env_config: dict[str, Any], seed: int = 0) -> list[dict[str, Any]]:
    """Train for ``iterations`` and return each iteration's ``env_runners`` results."""
    import ray

    ray.init(num_cpus=1, include_dashboard=False, log_to_driver=False, ignore_reinit_error=True)
    algo = build_config(env_config, seed=seed).build_algo()
    try:
        return [algo.train()["env_runners"] for _ in range(iterations)]
    finally:
        algo.stop()


def main() -> None:
    """Parse the arguments, train, print our metrics per iteration."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--mechanism", default="team_reward")
    args = parser.parse_args()
    env_config = {**ENV_CONFIG, "mechanism": args.mechanism}
    for k, runners in enumerate(train(args.iterations, env_config, args.seed), 1):
        ours = runners.get("incentive_lab", {})
        print(
            f"iteration {k}: episode return {runners.get('episode_return_mean', float('nan')):.2f}"
            f"  own-coin rate {ours.get('own_coin_rate', float('nan')):.3f}"
            f"  collective return (base) {ours.get('base_return', float('nan')):.2f}"
        )


if __name__ == "__main__":
    main()
