"""Bench: MechBench, the named and versioned mechanism-comparison scenarios.

:mod:`.suite` reads the scenario files shipped in ``scenarios/`` and the demo's list in
``demo.yaml``; running a scenario is running its experiment through
:mod:`~incentive_lab.experiments.execution`.
"""
