"""GTAlign: block parser, Pareto/welfare choices vs brute force, steering thresholds."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from incentive_lab.learners.llm.gtalign import (
    GTALIGN_SCHEMA,
    Payoff,
    PayoffSchema,
    choose,
    pareto_mask,
    parse_blocks,
    parse_prefix,
    steer,
    steering_threshold,
    welfare,
)

CELLS = {
    "DQ_DA": {"LLM": 3.0, "user": 3.5},
    "DQ_CQ": {"LLM": 2.0, "user": 1.5},
    "DQ_AQ": {"LLM": 4.0, "user": 4.1},
    "VQ_DA": {"LLM": 1.0, "user": 2.0},
    "VQ_CQ": {"LLM": 2.5, "user": 3.0},
    "VQ_AQ": {"LLM": 3.0, "user": 2.9},
}


def answer(cells=CELLS, thinking="the user is clear", response="Here you go") -> str:
    return (
        f"<thinking>{thinking}</thinking>\n<payoff>{json.dumps(cells)}</payoff>\n"
        f"<analysis>AQ is best for both</analysis>\n<response>{response}</response>"
    )


def test_six_cell_answer_parses():
    blocks = parse_blocks(answer(), GTALIGN_SCHEMA)
    assert not isinstance(blocks, str)
    assert blocks.thinking == "the user is clear" and blocks.response == "Here you go"
    assert blocks.payoff.llm[0, 2] == 4.0 and blocks.payoff.user[1, 1] == 3.0
    assert choose(blocks.payoff) == (0, 2)  # DQ_AQ: √(4·4.1) is the largest
    assert choose(blocks.payoff, row=1) == (1, 2)  # VQ: √(3·2.9) > √(2.5·3) > √(1·2)
    assert choose(blocks.payoff, "sum", row=1) == (1, 2)  # 5.9 > 5.5 > 3


@pytest.mark.parametrize(
    "text",
    [
        answer().replace("<analysis>AQ is best for both</analysis>\n", ""),  # block missing
        answer().replace("<thinking>", "<thinking><thinking>"),  # duplicated tag
        "prefix " + answer() + "</response>",
        answer({k: v for k, v in CELLS.items() if k != "VQ_AQ"}),  # five cells
        answer({**CELLS, "XQ_DA": {"LLM": 1, "user": 1}}),  # seven cells
        answer({**CELLS, "DQ_DA": {"LLM": "3", "user": 1}}),  # string number
        answer({**CELLS, "DQ_DA": {"LLM": True, "user": 1}}),  # boolean
        answer({**CELLS, "DQ_DA": {"LLM": 1, "user": 1, "x": 0}}),  # extra key
        answer().replace('"DQ_DA"', "DQ_DA"),  # not JSON
        answer().replace("3.5", "NaN"),  # not finite
        "",
    ],
)
def test_malformed_answers_are_rejected(text):
    assert isinstance(parse_blocks(text, GTALIGN_SCHEMA), str)


def test_prefix_stopped_after_the_payoff_block():
    text = f"<thinking>t</thinking><payoff>{json.dumps(CELLS)}"
    parsed = parse_prefix(text, GTALIGN_SCHEMA)
    assert not isinstance(parsed, str) and parsed[0] == "t"
    assert not isinstance(parse_prefix(text + "</payoff>", GTALIGN_SCHEMA), str)
    assert isinstance(parse_prefix("<payoff>{}</payoff>", GTALIGN_SCHEMA), str)


def brute_force(u, v, rule, row=None):
    cells = [(r, c) for r in range(u.shape[0]) for c in range(u.shape[1]) if row in (None, r)]
    frontier = [
        a
        for a in cells
        if not any(u[b] >= u[a] and v[b] >= v[a] and (u[b] > u[a] or v[b] > v[a]) for b in cells)
    ]

    def w(cell):
        if rule == "sum":
            return u[cell] + v[cell]
        return math.sqrt(max(u[cell], 0) * max(v[cell], 0))

    best = max(w(c) for c in frontier)
    return next(c for c in cells if c in frontier and w(c) == best)


matrices = arrays(np.float64, (2, 3), elements=st.integers(-3, 6).map(float))


@settings(max_examples=200, deadline=None)
@given(matrices, matrices, st.sampled_from(["cobb_douglas", "sum"]), st.sampled_from([None, 0, 1]))
def test_choice_matches_brute_force(u, v, rule, row):
    payoff = Payoff(GTALIGN_SCHEMA, u, v)
    assert choose(payoff, rule, row) == brute_force(u, v, rule, row)


@given(
    arrays(np.float64, 7, elements=st.integers(-5, 5).map(float)),
    arrays(np.float64, 7, elements=st.integers(-5, 5).map(float)),
)
def test_pareto_mask_matches_brute_force(u, v):
    expected = [
        not any(u[j] >= u[i] and v[j] >= v[i] and (u[j] > u[i] or v[j] > v[i]) for j in range(7))
        for i in range(7)
    ]
    assert pareto_mask(u, v).tolist() == expected
    assert pareto_mask(u, v).any()


def test_welfare_rules():
    assert welfare(
        np.array([4.0, -1.0, 0.0]), np.array([9.0, 4.0, 3.0]), "cobb_douglas"
    ).tolist() == [
        6.0,
        0.0,
        0.0,
    ]
    assert welfare(np.array([4.0]), np.array([-9.0]), "sum").tolist() == [-5.0]


PD = PayoffSchema.for_game(2, 2)  # rows: other's action, cols: own action (0 = C, 1 = D)


@pytest.mark.parametrize("rule", ["cobb_douglas", "sum"])
@pytest.mark.parametrize("col", [0, 1])
def test_steering_flips_the_choice_at_the_threshold(rule, col):
    # Prisoner's dilemma, own payoff U and the other's L: (C,C)=3,3 (C,D)=0,5 (D,C)=5,0 (D,D)=1,1
    u = np.array([[3.0, 5.0], [0.0, 1.0]])
    v = np.array([[3.0, 0.0], [5.0, 1.0]])
    payoff = Payoff(PD, u, v)
    t = steering_threshold(payoff, col, rule)
    shift = np.zeros(2)
    below, above = shift.copy(), shift.copy()
    below[col], above[col] = t - 1e-6, t + 1e-6
    base = choose(payoff, rule)[1]
    if base == col:
        assert t < 0  # already chosen: the threshold is a tolerable tax
    assert choose(steer(payoff, own=below), rule)[1] != col
    assert choose(steer(payoff, own=above), rule)[1] == col
    # Cobb-Douglas: (D, C) has L = 0, so defecting needs (D, D) with (1 + t)·1 > 9
    if rule == "cobb_douglas" and col == 1:
        assert t == pytest.approx(8.0)
    if rule == "sum" and col == 1:
        assert t == pytest.approx(1.0)  # (D, C) = (5, 0) must beat (C, C) = 6


@settings(max_examples=100, deadline=None)
@given(
    matrices.map(lambda m: np.abs(m) + 1.0),
    matrices.map(lambda m: np.abs(m) + 1.0),
    st.integers(0, 2),
)
def test_threshold_matches_bisection(u, v, col):
    # Positive payoffs: every welfare is positive, so the choice has no zero-welfare ties.
    payoff = Payoff(GTALIGN_SCHEMA, u, v)
    t = steering_threshold(payoff, col, "cobb_douglas")
    shift = np.zeros(3)

    def picks(x):
        shift[col] = x
        return choose(steer(payoff, own=shift), "cobb_douglas")[1] == col

    lo, hi = -100.0, 100.0
    assert not picks(lo) or t <= lo
    assert picks(hi)
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (lo, mid) if picks(mid) else (mid, hi)
    assert hi == pytest.approx(t, abs=1e-6)


def test_schema_for_games():
    assert PD.cells == ("other0_act0", "other0_act1", "other1_act0", "other1_act1")
    assert PayoffSchema.for_game(3, 5).cells == ("others_act0", "others_act1", "others_act2")
    assert len(GTALIGN_SCHEMA.cells) == 6
    assert GTALIGN_SCHEMA.cells[0] == "DQ_DA"
