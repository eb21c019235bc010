"""ASCII map presets of the gridworld games and their parsing into arrays.

Legend (one character per cell)
    ``@`` / ``W`` wall; `` `` floor; ``P`` / ``Q`` floor where an agent may spawn; ``A`` an
    apple cell that starts with an apple (Harvest); ``B`` an apple cell that starts empty
    (Cleanup's orchard); ``H`` river that starts polluted (waste); ``R`` clean river where
    waste may appear; ``S`` stream (water where waste never appears). Agents walk on every
    cell but walls. A map without ``P`` lets agents spawn on any floor cell.

Presets and their sources
    ``harvest``
        ``hughes2018`` (default) — the 38×16 Harvest map of the reference implementation of
        Hughes et al. (2018), ``social_dilemmas/maps.py`` of
        eugenevinitsky/sequential_social_dilemma_games (the layout of Perolat et al. 2017);
        ``meltingpot_open`` — Melting Pot 2.0 ``commons_harvest__open`` (24×18, Agapiou et
        al. 2022; ``Q`` are its inside spawn points); ``small`` — ours, 16×9 with three
        patches and six spawn points, for fast experiments.
    ``cleanup``
        ``hughes2018`` (default) — the 18×25 Cleanup map of the same reference
        implementation; ``meltingpot`` — Melting Pot 2.0 ``clean_up`` (30×21), its
        characters translated (``F`` dirt → ``H``, ``H`` potential dirt → ``R``, ``S``/``~``
        water → ``S``, ``B``/``T`` potential apple → ``B``, shadows and sand → floor);
        ``small`` — ours, 12×8, river of 18 cells (half polluted), orchard of 18 cells.
    ``coins``
        ``classic`` (default) — the 3×3 torus of Lerer & Peysakhovich (2017) and Foerster
        et al. (2018, LOLA), as in JaxMARL's ``coin_game``; ``small`` — a 5×5 torus with room
        for up to 12 players' coins.

Layouts are data: the arrays (:class:`GridMap`) are built once per game instance and shared
by all copies.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from incentive_lab.core.errors import unknown_choice
from incentive_lab.core.types import IntArray

# -- terrain and item codes (shared with the kernels) ----------------------------------------
FLOOR, WALL, RIVER, STREAM, ORCHARD = 0, 1, 2, 3, 4
"""Terrain codes: static per map."""
NONE, APPLE, WASTE, COIN = 0, 1, 2, 3
"""Item codes: per copy; a coin of player ``q`` is ``COIN + q``."""

_CHARS: dict[str, tuple[int, int, bool]] = {
    "@": (WALL, NONE, False),
    "W": (WALL, NONE, False),
    " ": (FLOOR, NONE, False),
    "P": (FLOOR, NONE, True),
    "Q": (FLOOR, NONE, True),
    "A": (ORCHARD, APPLE, False),
    "B": (ORCHARD, NONE, False),
    "H": (RIVER, WASTE, False),
    "R": (RIVER, NONE, False),
    "S": (STREAM, NONE, False),
}
"""Character → (terrain, initial item, spawn point)."""

HARVEST_HUGHES2018 = (
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
    "@ P   P      A    P AAAAA    P  A P  @",
    "@  P     A P AA    P    AAA    A  A  @",
    "@     A AAA  AAA    A    A AA AAAA   @",
    "@ A  AAA A    A  A AAA  A  A   A A   @",
    "@AAA  A A    A  AAA A  AAA        A P@",
    "@ A A  AAA  AAA  A A    A AA   AA AA @",
    "@  A A  AAA    A A  AAA    AAA  A    @",
    "@   AAA  A      AAA  A    AAAA       @",
    "@ P  A       A  A AAA    A  A      P @",
    "@A  AAA  A  A  AAA A    AAAA     P   @",
    "@    A A   AAA  A A      A AA   A  P @",
    "@     AAA   A A  AAA      AA   AAA P @",
    "@ A    A     AAA  A  P          A    @",
    "@       P     A         P  P P     P @",
    "@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@@",
)

HARVEST_MELTINGPOT_OPEN = (
    "WWWWWWWWWWWWWWWWWWWWWWWW",
    "WAAA    A      A    AAAW",
    "WAA    AAA    AAA    AAW",
    "WA    AAAAA  AAAAA    AW",
    "W      AAA    AAA      W",
    "W       A      A       W",
    "W  A                A  W",
    "W AAA  Q        Q  AAA W",
    "WAAAAA            AAAAAW",
    "W AAA              AAA W",
    "W  A                A  W",
    "W                      W",
    "W                      W",
    "W                      W",
    "W  PPPPPPPPPPPPPPPPPP  W",
    "W PPPPPPPPPPPPPPPPPPPP W",
    "WPPPPPPPPPPPPPPPPPPPPPPW",
    "WWWWWWWWWWWWWWWWWWWWWWWW",
)

HARVEST_SMALL = (
    "@@@@@@@@@@@@@@@@",
    "@P     A      P@",
    "@     AAA      @",
    "@  A AAAAA  A  @",
    "@ AAA AAA  AAA @",
    "@AAAAA A  AAAAA@",
    "@ AAA      AAA @",
    "@P A   P P  A P@",
    "@@@@@@@@@@@@@@@@",
)

CLEANUP_HUGHES2018 = (
    "@@@@@@@@@@@@@@@@@@",
    "@HHHHHH     BBBBB@",
    "@RRRRRR      BBBB@",
    "@HHHHHH     BBBBB@",
    "@RRRRR  P    BBBB@",
    "@HHHHH    P BBBBB@",
    "@RRRRR       BBBB@",
    "@HHHHH      BBBBB@",
    "@SSSSSSHHHHHHBBBB@",
    "@SSSSSSHHHHHHBBBB@",
    "@HHHHH   P P BBBB@",
    "@RRRRR   P  BBBBB@",
    "@HHHHHH    P BBBB@",
    "@RRRRRR P   BBBBB@",
    "@HHHHH       BBBB@",
    "@RRRR    P  BBBBB@",
    "@HHHHH       BBBB@",
    "@RRRRR  P P BBBBB@",
    "@HHHHH       BBBB@",
    "@RRRR       BBBBB@",
    "@HHHHH       BBBB@",
    "@RRRRR      BBBBB@",
    "@HHHHH       BBBB@",
    "@RRRR       BBBBB@",
    "@@@@@@@@@@@@@@@@@@",
)

CLEANUP_MELTINGPOT_RAW = (
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
    "WHFFFHFFHFHFHFHFHFHFHHFHFFFHFW",
    "WHFHFHFFHFHFHFHFHFHFHHFHFFFHFW",
    "WHFFHFFHHFHFHFHFHFHFHHFHFFFHFW",
    "WHFHFHFFHFHFHFHFHFHFHHFHFFFHFW",
    "WHFFFFFFHFHFHFHFHFHFHHFHFFFHFW",
    "W==============+~FHHHHHHf====W",
    "W   P    P      ===+~SSf     W",
    "W     P     P   P  <~Sf  P   W",
    "W             P   P<~S>      W",
    "W   P    P         <~S>   P  W",
    "W               P  <~S>P     W",
    "W     P           P<~S>      W",
    "W           P      <~S> P    W",
    "W  P             P <~S>      W",
    "W^T^T^T^T^T^T^T^T^T;~S,^T^T^TW",
    "WBBBBBBBBBBBBBBBBBBBssBBBBBBBW",
    "WBBBBBBBBBBBBBBBBBBBBBBBBBBBBW",
    "WBBBBBBBBBBBBBBBBBBBBBBBBBBBBW",
    "WBBBBBBBBBBBBBBBBBBBBBBBBBBBBW",
    "WWWWWWWWWWWWWWWWWWWWWWWWWWWWWW",
)
"""Melting Pot's own characters; :data:`MELTINGPOT_CLEANUP_CHARS` translates them."""

MELTINGPOT_CLEANUP_CHARS = str.maketrans(
    {"F": "H", "H": "R", "~": "S", "T": "B", "s": " ", **dict.fromkeys("=+f;,^<>", " ")}
)

CLEANUP_SMALL = (
    "@@@@@@@@@@@@",
    "@HHR P  BBB@",
    "@RRH  P BBB@",
    "@HHR P  BBB@",
    "@RRH  P BBB@",
    "@HHR P  BBB@",
    "@RRH  P BBB@",
    "@@@@@@@@@@@@",
)

COINS_CLASSIC = ("   ", "   ", "   ")
COINS_SMALL = ("     ",) * 5


@dataclass(frozen=True)
class Preset:
    """An ASCII layout, whether it wraps around (torus) and where it comes from."""

    rows: tuple[str, ...]
    wrap: bool
    source: str


PRESETS: dict[str, dict[str, Preset]] = {
    "harvest": {
        "hughes2018": Preset(HARVEST_HUGHES2018, False, "Hughes et al. 2018 / Perolat et al. 2017"),
        "meltingpot_open": Preset(HARVEST_MELTINGPOT_OPEN, False, "Melting Pot commons_harvest"),
        "small": Preset(HARVEST_SMALL, False, "incentive-lab small map"),
    },
    "cleanup": {
        "hughes2018": Preset(CLEANUP_HUGHES2018, False, "Hughes et al. 2018"),
        "meltingpot": Preset(
            tuple(r.translate(MELTINGPOT_CLEANUP_CHARS) for r in CLEANUP_MELTINGPOT_RAW),
            False,
            "Melting Pot clean_up",
        ),
        "small": Preset(CLEANUP_SMALL, False, "incentive-lab small map"),
    },
    "coins": {
        "classic": Preset(COINS_CLASSIC, True, "Lerer & Peysakhovich 2017; Foerster et al. 2018"),
        "small": Preset(COINS_SMALL, True, "incentive-lab 5x5 torus"),
    },
}


@dataclass(frozen=True)
class GridMap:
    """A parsed layout: ``terrain``/``items`` ``int8[H, W]``, cell lists ``int64[k, 2]``.

    ``spawn``: cells where agents (re)spawn; ``apple_cells``: orchard cells where apples
    grow; ``river_cells``: river cells where waste may lie; ``free_cells``: every non-wall
    cell; ``wrap``: whether the map is a torus.
    """

    name: str
    terrain: np.ndarray
    items: np.ndarray
    spawn: IntArray
    apple_cells: IntArray
    river_cells: IntArray
    free_cells: IntArray
    wrap: bool
    source: str

    @property
    def shape(self) -> tuple[int, int]:
        """``(H, W)``."""
        return int(self.terrain.shape[0]), int(self.terrain.shape[1])


def parse(name: str, rows: tuple[str, ...], wrap: bool, source: str = "") -> GridMap:
    """Parse ASCII ``rows`` (equal lengths, characters of the legend) into a :class:`GridMap`."""
    widths = {len(r) for r in rows}
    if len(widths) != 1:
        raise ValueError(f"map {name!r}: rows of unequal widths {sorted(widths)}")
    height, width = len(rows), widths.pop()
    terrain = np.zeros((height, width), dtype=np.int8)
    items = np.zeros((height, width), dtype=np.int8)
    spawn = []
    for r, line in enumerate(rows):
        for c, char in enumerate(line):
            if char not in _CHARS:
                raise ValueError(f"map {name!r}: unknown character {char!r} at ({r}, {c})")
            terrain[r, c], items[r, c], is_spawn = _CHARS[char]
            if is_spawn:
                spawn.append((r, c))

    def cells(mask: np.ndarray) -> IntArray:
        return np.argwhere(mask).astype(np.int64).reshape(-1, 2)

    spawn_cells = np.asarray(spawn, dtype=np.int64).reshape(-1, 2)
    if spawn_cells.shape[0] == 0:
        spawn_cells = cells(terrain == FLOOR)
    return GridMap(
        name=name,
        terrain=terrain,
        items=items,
        spawn=spawn_cells,
        apple_cells=cells(terrain == ORCHARD),
        river_cells=cells(terrain == RIVER),
        free_cells=cells(terrain != WALL),
        wrap=wrap,
        source=source,
    )


def load(game: str, preset: str, field: str = "game.params.preset") -> GridMap:
    """The parsed preset ``preset`` of ``game`` (``harvest``, ``cleanup`` or ``coins``)."""
    presets = PRESETS[game]
    if preset not in presets:
        raise unknown_choice(field, preset, presets)
    spec = presets[preset]
    return parse(preset, spec.rows, spec.wrap, spec.source)
