"""Steering the model follows: continue generation from the edited payoff block.

GTAlign's inference-time steering (Zhu et al. 2025, §"steering"; seed 004): generation stops
at ``</payoff>``; the payoff matrix in the text is replaced by the transformed one; the model
then *continues from that exact prefix* — for the model nothing was interrupted, only the
prompt changed — and writes ``<analysis>`` and ``<response>``, whose action is played.

* :func:`prefix` — the assistant's half-written message after the edit:
  ``<thinking>…</thinking>``, a newline, ``<payoff>{steered JSON}</payoff>``, a newline.
* :func:`grammar` — a GBNF grammar for the continuation (llama.cpp):

  - ``free``: ``<analysis>`` up to ``ANALYSIS_CHARS`` characters without ``<``, then
    ``<response>{"action": k}</response>`` with ``k`` any action;
  - ``cell``: the analysis names one cell of the matrix — ``<analysis>The best outcome
    for <objective> is ROW_COL.</analysis>`` — and the response plays that cell's column
    (the grammar binds them), so the model's choice is the cell it names.

* :func:`payoff_grammar` — a GBNF grammar for the first stage (``<thinking>`` of at most
  ``THINKING_CHARS`` characters, then the payoff block with exactly the schema's cells and
  one-decimal numbers ``0.0``–``9.9``), so a small local model writes a parseable matrix.
* :func:`parse` — the continuation's action: the two blocks in order, each once, the
  response a strict ``{"action": k}`` (:func:`.parsing.parse_action`), else the reason.

A backend that cannot continue raw text gets the edited prefix as an assistant turn and a
user message asking it to go on (:data:`.prompts.CONTINUE_AFTER_PAYOFF`); its answer is
parsed the same way. When the continuation does not parse, the learner plays the code-side
choice on the steered matrix (:func:`.gtalign.choose`) and records that it fell back.
"""

from __future__ import annotations

import re
from typing import Literal

from incentive_lab.learners.llm.gtalign import Payoff, PayoffSchema
from incentive_lab.learners.llm.parsing import parse_action

GrammarStyle = Literal["none", "free", "cell"]
ANALYSIS_CHARS = 200
"""Longest free ``<analysis>`` under the ``free`` grammar."""
THINKING_CHARS = 160
"""Longest ``<thinking>`` under :func:`payoff_grammar`."""
TAIL = re.compile(r"\A\s*<analysis>(.*?)</analysis>\s*<response>(.*?)</response>\s*\Z", re.DOTALL)


def prefix(thinking: str, payoff: Payoff) -> str:
    """The assistant's message up to and including the (steered) payoff block."""
    return f"<thinking>{thinking}</thinking>\n<payoff>{payoff.to_json()}</payoff>\n"


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _response(action: int) -> str:
    return _quote(f'</analysis>\n<response>{{"action": {action}}}</response>')


def grammar(
    schema: PayoffSchema,
    n_actions: int,
    style: GrammarStyle,
    objective: str = "both sides",
    row: int | None = None,
) -> str | None:
    """The GBNF grammar of the continuation (``None`` for style ``none``).

    ``row``: when the row is known (the question type), ``cell`` offers only its cells.
    """
    if style == "none":
        return None
    if style == "free":
        actions = " | ".join(_quote(f"{k}") for k in range(n_actions))
        return "\n".join(
            [
                'root ::= "<analysis>" text "</analysis>\\n<response>{\\"action\\": " '
                'action "}</response>"',
                f"text ::= [^<]{{1,{ANALYSIS_CHARS}}}",
                f"action ::= {actions}",
            ]
        )
    lead = _quote(f"<analysis>The best outcome for {objective} is ")
    options = []
    rows = schema.rows if row is None else (schema.rows[row],)
    for name_row in rows:
        for col, name in enumerate(schema.cols):
            options.append(f"{_quote(f'{name_row}_{name}.')} {_response(col)}")
    return "\n".join([f"root ::= {lead} cell", "cell ::= " + " | ".join(options)])


def payoff_grammar(schema: PayoffSchema) -> str:
    """GBNF of ``<thinking>…</thinking>`` + the payoff block up to ``</payoff>``."""
    cells = ' ", " '.join(
        f"{_quote(f'{chr(34)}{cell}{chr(34)}: {{{chr(34)}LLM{chr(34)}: ')} num "
        f'{_quote(f", {chr(34)}user{chr(34)}: ")} num "}}"'
        for cell in schema.cells
    )
    return "\n".join(
        [
            'root ::= "<thinking>" text "</thinking>\\n<payoff>{" cells "}</payoff>"',
            f"text ::= [^<]{{1,{THINKING_CHARS}}}",
            f"cells ::= {cells}",
            'num ::= [0-9] "." [0-9]',
        ]
    )


def parse(text: str, n_actions: int) -> int | str:
    """The action of a continuation ``<analysis>…</analysis><response>…</response>``."""
    match = TAIL.match(text)
    if match is None or text.count("<response>") != 1 or text.count("<analysis>") != 1:
        return "the continuation must be <analysis>...</analysis><response>...</response>"
    parsed = parse_action(match.group(2), n_actions)
    return parsed.error if parsed.action is None else parsed.action
