"""ValidationReport.answers: how each check was answered, through to_dict/from_dict/to_json,
pickle and the one line of ``str`` (no Spark needed)."""

from __future__ import annotations

import json
import pickle

import pytest

from sparksig.options import Sampling, choose
from sparksig.results import Answer, AnsweredBy, ValidationReport, Violation

ANSWERS = (
    Answer("null_in_required:a", "footers"),
    Answer("out_of_range:t", AnsweredBy.FOOTERS),
    Answer("null_in_required:o.x", "scan", "not a null or range check of a top-level column"),
)


def _report(**kw) -> ValidationReport:
    return ValidationReport(
        "full",
        rows_checked=30,
        checks=3,
        sampling="metadata",
        engine="footers+native",
        answers=ANSWERS,
        **kw,
    )


def test_answers_round_trip_through_json_and_pickle() -> None:
    report = _report(violations=(Violation("null_in_required", "a", 6, (None,)),))
    d = json.loads(report.to_json())
    assert d["sampling"] == "metadata"
    assert d["answers"] == [
        {"check": "null_in_required:a", "by": "footers", "why": ""},
        {"check": "out_of_range:t", "by": "footers", "why": ""},
        {
            "check": "null_in_required:o.x",
            "by": "scan",
            "why": "not a null or range check of a top-level column",
        },
    ]
    back = ValidationReport.from_dict(d)
    assert back == report and back.answers[0].by is AnsweredBy.FOOTERS
    assert back.sampling is Sampling.METADATA
    assert pickle.loads(pickle.dumps(report)) == report


def test_a_report_without_answers_reads_back_as_before() -> None:
    old = _report().to_dict()
    del old["answers"], old["sampling"]
    back = ValidationReport.from_dict(old)
    assert back.answers == () and back.answered_summary is None
    assert "answered from" not in str(back)


def test_answered_by_and_the_one_line_of_str() -> None:
    report = _report()
    assert report.answered_by == {
        "null_in_required:a": "footers",
        "out_of_range:t": "footers",
        "null_in_required:o.x": "scan",
    }
    line = "2 checks answered from Parquet footers, 1 by scanning"
    assert report.answered_summary == line
    assert str(report).splitlines()[1].strip() == line
    failed = _report(violations=(Violation("null_in_required", "a", 6, (None,)),))
    assert str(failed).count(line) == 1
    one = ValidationReport("full", rows_checked=1, checks=1, answers=ANSWERS[:1])
    assert one.answered_summary == "1 check answered from Parquet footers, 0 by scanning"


def test_an_answer_refuses_an_unknown_source_and_metadata_is_a_sampling_choice() -> None:
    with pytest.raises(ValueError, match="'cache'"):
        Answer("null_in_required:a", "cache")
    assert choose(Sampling, "metadata", "sampling") is Sampling.METADATA
