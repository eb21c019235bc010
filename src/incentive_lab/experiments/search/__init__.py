"""Search: mechanism design by Optuna over an experiment's parameters.

* :mod:`.schema` — the ``design:`` block (ranges, choices, objective, budget) checked against
  the experiment it searches;
* :mod:`.objectives` — the objectives a design maximises and the design run's recorder;
* :mod:`.design` — the search loop: trials as runs in the store, resumable, with Ray or
  local workers.
"""
