"""The report's figures (matplotlib, Agg canvas) rendered to inline SVG strings.

:mod:`.comparison` holds the canvas, the per-candidate palette and styles and the figures
every report has (learning curves, final outcomes, phase diagrams); :mod:`.pareto` the
welfare-vs-cost plot with its front drawn; :mod:`.aggregate` the performance profiles across
scenarios; :mod:`.design` a design search's optimisation history;
:mod:`.games` picks the game-specific figures by game id from :mod:`.dynamics` (phase
portraits of differentiable games), :mod:`.allocation` (auctions and routing),
:mod:`.spatial` (spatial public goods), :mod:`.subsample` (SUB-SAMPLE-Q's gap vs k) and
:mod:`.platform` (the recommender platform). They read their data through
:mod:`incentive_lab.evaluation.report.analysis`.

This package's ``__init__`` imports nothing, so importing one figure module stays cheap.
"""
