"""The HTML report and its ``report.json``: one self-contained page comparing candidates.

:mod:`.page` builds and writes the page and the JSON (``build``, ``build_report``,
``write_report``); :mod:`.model` computes everything both say (:class:`.model.Analysis`,
the cross-scenario aggregates, the JSON record); :mod:`.analysis` labels candidates (sweep
points of the mechanism) and conditions (sweep points of game or learner parameters) and
computes estimates over seeds and curves; :mod:`.verdicts` names the best candidate per
objective and condition (clear / tie / not clear / no effect, from paired differences and a
practical threshold) and each candidate's effect against the baseline; :mod:`.sections`
renders one experiment; :mod:`.template` holds the HTML building blocks and
:mod:`.transcripts` the sample of LLM transcripts. The figures it embeds are in
:mod:`incentive_lab.evaluation.figures`; ``docs/report.md`` documents the rules and the JSON
schema.

This package's ``__init__`` imports nothing, so the figures can import :mod:`.analysis`
without importing the page that embeds them.
"""
