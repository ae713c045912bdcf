"""The report types live in sparksig.results and store enum members (issue 21, item 3)."""

from __future__ import annotations

import json
import pickle

import pytest

import sparksig.errors
from sparksig.options import Mode, Sampling
from sparksig.results import Code, ValidationReport, Violation


def test_a_violation_stores_its_code_as_a_member_and_writes_its_value() -> None:
    v = Violation("null_in_required", "age", 3)
    assert v.code is Code.NULL_IN_REQUIRED
    assert v.code == "null_in_required"  # a str enum: old comparisons keep working
    assert v.to_dict()["code"] == "null_in_required"
    assert type(v.to_dict()["code"]) is str
    assert Violation.from_dict(v.to_dict()) == v


def test_an_unknown_code_is_refused() -> None:
    with pytest.raises(ValueError, match="not_a_code"):
        Violation("not_a_code", "age")


def test_a_report_stores_mode_and_sampling_as_members() -> None:
    r = ValidationReport("sampled", rows_checked=5, sampling="files", checks=1)
    assert r.mode is Mode.SAMPLED and r.sampling is Sampling.FILES
    d = json.loads(r.to_json())
    assert (d["mode"], d["sampling"]) == ("sampled", "files")
    assert ValidationReport.from_dict(d) == r
    assert pickle.loads(pickle.dumps(r)) == r


def test_the_old_import_path_still_gives_the_same_classes() -> None:
    assert sparksig.errors.ValidationReport is ValidationReport
    assert sparksig.errors.Violation is Violation
    assert sparksig.errors.Code is Code
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        sparksig.errors.Nope  # noqa: B018


def test_the_error_built_from_violations_keeps_them() -> None:
    v = Violation(Code.TYPE_MISMATCH, "x")
    err = sparksig.errors.SchemaEnforcementError.of(v, mode="full")
    assert err.violations == (v,) and err.report.mode is Mode.FULL
    assert "[type_mismatch] x" in str(err)
