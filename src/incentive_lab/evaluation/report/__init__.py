"""The HTML report: one self-contained page comparing mechanisms across seeds.

:mod:`.page` builds and writes the page (``build_report``, ``write_report``);
:mod:`.analysis` computes the numbers behind it (per-mechanism statistics over seeds,
curves, pooled outcomes); :mod:`.verdicts` names the best mechanism per objective and
whether its lead is statistically clear; :mod:`.template` holds the HTML building blocks
and :mod:`.transcripts` the sample of LLM transcripts. The figures it embeds are in
:mod:`incentive_lab.evaluation.figures`.

This package's ``__init__`` imports nothing, so the figures can import :mod:`.analysis`
without importing the page that embeds them.
"""
