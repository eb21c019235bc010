"""Games: importing this package registers every built-in game."""

from incentive_lab.games import (
    auction,
    bottleneck,
    congestion,
    differentiable_pgg,
    differentiable_toy,
    escape_room,
    game_selection,
    global_local,
    guess_average,
    matrix,
    matrix_mixed,
    public_goods,
    recommender,
    spatial_public_goods,
    water_allocation,
)

__all__ = [
    "auction",
    "bottleneck",
    "congestion",
    "differentiable_pgg",
    "differentiable_toy",
    "escape_room",
    "game_selection",
    "global_local",
    "guess_average",
    "matrix",
    "matrix_mixed",
    "public_goods",
    "recommender",
    "spatial_public_goods",
    "water_allocation",
]
