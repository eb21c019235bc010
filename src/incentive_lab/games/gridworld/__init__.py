"""Sequential social dilemmas as vectorised gridworlds: ``coins``, ``harvest``, ``cleanup``.

One engine serves the three games (``base.GridworldGame``): ``n_copies`` independent copies
advance together in one Numba step (``_kernels`` with the phases ``_moves``, ``_beams``,
``_dynamics``; egocentric views in ``_observe``; counter-based random streams in ``_rng``),
agents are rows (player-major: row ``i·n_copies + c`` is player ``i`` of copy ``c``), and
episodes end by truncation, after which the game — never a learner — restarts.

=================  ==========================================================================
module             what it holds
=================  ==========================================================================
``maps``           the ASCII map presets (published layouts and ``small`` maps) and parsing
``rules``          action codes, directions, the rule arrays the kernels read
``params``         the parameters all three games share
``state``          the arrays of the copies' state and the episode totals
``base``           the shared ``Game`` logic: step, views, counterfactual replays
``metrics``        the social outcome metrics of Perolat et al. (2017), per episode
``render``         ``render_rgb``: a copy's state as an RGB picture
``global_view``    each copy's whole map as planes: the ``global_state`` of a MAPPO critic
``scripted``       the bots (cooperator / defector) behind the ``scripted_policy`` capability
``coins``          the Coin Game (Lerer & Peysakhovich 2017; Foerster et al. 2018)
``harvest``        Harvest (Perolat et al. 2017; Hughes et al. 2018)
``cleanup``        Cleanup (Hughes et al. 2018; Yang et al. 2020)
=================  ==========================================================================
"""

from incentive_lab.games.gridworld import cleanup, coins, harvest

__all__ = ["cleanup", "coins", "harvest"]
