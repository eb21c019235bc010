"""The report shows a sample of LLM transcripts, escaped, when runs kept any."""

import json

import pandas as pd

from incentive_lab.evaluation.report.transcripts import MAX_RECORDS, transcript_section


def runs_with(records):
    extra = json.dumps({"seconds": 1.0, "transcripts": {"learner0": records}})
    return pd.DataFrame([{"run_id": "abcdef123456", "seed_index": 0, "extra": extra}])


def record(k, fallback=False):
    return {
        "round": k,
        "agent": 0,
        "messages": [["system", "rules"], ["user", f"Round {k}: choose <b>now</b>"]],
        "answers": ['{"action": 1}'],
        "errors": ["parse: not JSON"] if fallback else [],
        "action": 1,
        "fallback": fallback,
    }


def test_sample_shows_prompt_answer_and_fallback_escaped():
    html = str(transcript_section(runs_with([record(k, k == 1) for k in range(5)])))
    assert "LLM transcripts (sample)" in html
    assert "Round 0: choose &lt;b&gt;now&lt;/b&gt;" in html  # escaped, never markup
    assert "<b>now</b>" not in html
    assert html.count('class="transcript prompt"') == MAX_RECORDS
    assert "fallback" in html and "parse: not JSON" in html


def test_no_section_without_transcripts():
    runs = pd.DataFrame([{"run_id": "x", "seed_index": 0, "extra": json.dumps({"seconds": 1})}])
    assert transcript_section(runs) is None
    assert transcript_section(pd.DataFrame({"run_id": ["x"]})) is None
