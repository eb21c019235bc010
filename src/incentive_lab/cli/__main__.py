"""``python -m incentive_lab.cli``: the same command line as ``incentive-lab``."""

from incentive_lab.cli.app import main

main()
