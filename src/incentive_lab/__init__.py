"""incentive-lab: design, train and evaluate incentive mechanisms for learning agents."""

__version__ = "0.1.0"
