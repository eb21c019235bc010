"""Execution: computing runs and keeping their results.

* :mod:`.runner` — one run in a worker: build the units from a ``ResolvedRun``, run the loop
  phase by phase, return a ``RunResult``;
* :mod:`.executors` — local processes or Ray, results streamed back to the driver;
* :mod:`.ray_start` — the one Ray start-up helper (executors and the design search);
* :mod:`.orchestrate` — plan, skip finished runs, execute, store;
* :mod:`.store` — the DuckDB store (only the driver writes, one transaction per run);
* :mod:`.results` — reading an experiment back (summaries, curves, intervals);
* :mod:`.reporting` — stored experiments into the HTML report's tables.
"""
