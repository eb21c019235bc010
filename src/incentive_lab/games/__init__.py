"""Games: importing this package registers every built-in game."""

from incentive_lab.games import auction, congestion, matrix, public_goods

__all__ = ["auction", "congestion", "matrix", "public_goods"]
