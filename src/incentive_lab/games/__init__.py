"""Games: importing this package registers every built-in game."""

from incentive_lab.games import matrix, public_goods

__all__ = ["matrix", "public_goods"]
