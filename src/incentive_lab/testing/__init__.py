"""Contract checks for games, learners and mechanisms — yours or the registered ones.

The same checks the project's own test suite runs over every registered id, as plain
functions (no pytest needed): each raises :class:`ContractError` (an ``AssertionError``) with
one message naming the unit, the check and the values, or returns a :class:`ContractReport`
of what passed.

* :func:`check_game` — the ``Game`` contract and PettingZoo conformance.
* :func:`check_learner` — the ``Learner`` contract (shapes, policy, seeding, pickling,
  lifelong play).
* :func:`check_mechanism` — the ``Mechanism`` contract (shapes, base-vs-shaped accounting,
  ``pays``/``stateless`` declarations, seeding, pickling).

A plugin author checks a learner that is not even registered::

    from incentive_lab.testing import check_learner
    from my_package.learners import MyLearner, MyParams

    print(check_learner(MyLearner, MyParams(alpha=0.1)))

Which game and parameters each registered id is checked on lives in
:mod:`incentive_lab.testing.fixtures`. Nothing in the library imports this package.
"""

from incentive_lab.testing.fixtures import GameSpec
from incentive_lab.testing.games import check_game
from incentive_lab.testing.learners import check_learner
from incentive_lab.testing.mechanisms import check_mechanism
from incentive_lab.testing.pettingzoo import check_parallel_env
from incentive_lab.testing.report import ContractError, ContractExemption, ContractReport

__all__ = [
    "ContractError",
    "ContractExemption",
    "ContractReport",
    "GameSpec",
    "check_game",
    "check_learner",
    "check_mechanism",
    "check_parallel_env",
]
