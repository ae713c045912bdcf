"""Constraints: suggested from a profile, declared, loosened and dropped in code and YAML,
with hostile names kept as data and malformed YAML refused with the place named."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from sparksig.errors import SchemaDefinitionError, SerializationError
from sparksig.profile import (
    ColumnProfile,
    Domain,
    MaxLength,
    Profile,
    Range,
    apply_yaml,
    dump_yaml,
    load_yaml,
    loads_yaml,
    suggest,
)
from sparksig.profile.pandas import infer_profile
from sparksig.results import Code
from tests.strategies import examples
from tests.unit.test_profile_model import HOSTILE


def training() -> Profile:
    return infer_profile(
        pd.DataFrame(
            {
                "age": [18, 35, 60, None],
                "country": ["DE", "FR", "DE", "NL"],
                "name": ["ab", "abcd", None, "a"],
                "score": [0.5, float("inf"), 0.1, 0.2],
            }
        )
    )


def test_suggest_ranges_domains_and_lengths():
    found = set(suggest(training()))
    assert Range("age", 18, 60) in found
    assert Domain("country", ["DE", "FR", "NL"]) in found
    assert MaxLength("name", 4) in found
    assert MaxLength("country", 2) in found
    # an infinite maximum leaves the range open on that side
    assert Range("score", 0.1, None) in found


def test_no_domain_when_the_top_list_does_not_cover_every_value():
    profile = infer_profile(pd.DataFrame({"id": [f"v{i}" for i in range(60)]}), top_k=50)
    assert not [c for c in suggest(profile) if isinstance(c, Domain)]
    few = infer_profile(pd.DataFrame({"k": [1, 2, 2, 3]}))
    assert Domain("k", [2, 1, 3]) in suggest(few)


def test_declare_loosen_and_drop_in_code():
    p = training().with_constraints(*suggest(training()))
    wider = p.with_constraints(Range("age", 0, 130))
    assert wider.constraints_on("age") == (Range("age", 0, 130),)
    assert Range("age", 18, 60).widened(0.5) == Range("age", -3.0, 81.0)
    dropped = wider.without("country", "domain")
    assert [c.tag for c in dropped.constraints_on("country")] == ["max_length"]
    assert dropped.without("country").constraints_on("country") == ()
    assert [c.tag for c in wider.without("name", MaxLength).constraints_on("name")] == ["domain"]


def test_codes():
    assert (Range.code, Domain.code, MaxLength.code) == (
        Code.OUT_OF_RANGE,
        Code.NOT_IN_DOMAIN,
        Code.TOO_LONG,
    )


def test_yaml_file_drops_then_declares(tmp_path):
    path = tmp_path / "constraints.yaml"
    path.write_text(
        "constraints:\n"
        "  - {type: range, path: age, minimum: 0, maximum: 130}\n"
        "  - {type: domain, path: country, values: [DE, FR, NL, BE]}\n"
        "drop:\n"
        "  - name\n"
        "  - {path: country, type: max_length}\n"
    )
    p = apply_yaml(training().with_constraints(*suggest(training())), path)
    assert p.constraints_on("age") == (Range("age", 0, 130),)
    assert p.constraints_on("country") == (Domain("country", ["DE", "FR", "NL", "BE"]),)
    assert p.constraints_on("name") == ()


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_survive_yaml(name):
    constraints = [Range(name, 0, 1), Domain(name, [name, "x"]), MaxLength(name, 3)]
    text = dump_yaml(constraints)
    back = loads_yaml(text + yaml.safe_dump({"drop": [name]}))
    assert back.declare == tuple(constraints)
    assert back.drop == ((name, None),)


@settings(max_examples=examples(100))
@given(st.text(max_size=20).filter(bool), st.text(max_size=20).filter(bool))
def test_any_name_round_trips_through_yaml(name, value):
    back = loads_yaml(dump_yaml([Domain(name, [value])]))
    assert back.declare == (Domain(name, [value]),)


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("constraints: [{type: range, path: a}]", "constraints.constraints[0]"),
        ("constraints: [{type: ranged, path: a, minimum: 1}]", "constraints.constraints[0].type"),
        ("constraints: [{type: max_length, path: a, n: -1}]", "constraints.constraints[0].n"),
        ("constraints: {type: range}", "constraints.constraints"),
        ("drop: [{type: range}]", "constraints.drop[0].path"),
        ("wat: 1", "constraints"),
        ("[1, 2]", "constraints"),
        ("a: [", "constraints"),
        ("a: &x [*x]", "constraints"),
    ],
)
def test_malformed_yaml_names_the_place(text, where):
    with pytest.raises(SerializationError) as e:
        loads_yaml(text)
    assert e.value.path == where


def test_yaml_alias_bombs_are_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
        for p, c in zip("abcdefgh", "bcdefghi")
    )
    with pytest.raises(SerializationError, match="aliases"):
        loads_yaml(bomb)


def test_load_yaml_refuses_a_pipe(tmp_path):
    import os

    fifo = tmp_path / "c.yaml"
    os.mkfifo(fifo)
    with pytest.raises(SerializationError, match="pipe"):
        load_yaml(fifo)


def test_constraint_values_are_checked():
    with pytest.raises(SchemaDefinitionError, match="above"):
        Range("a", 2, 1)
    with pytest.raises(SchemaDefinitionError, match="list"):
        Domain("a", "abc")  # type: ignore[arg-type]
    with pytest.raises(SchemaDefinitionError, match="mixes"):
        Range("t", 0, "2020-01-01")
    assert Range("t", "2020-01-01T00:00:00", "2021-01-01T00:00:00").holds("2020-06-01T00:00:00")
    assert Domain("b", [True]).holds(1) is False


def test_suggest_skips_paths_with_no_present_values():
    empty = Profile(3, (ColumnProfile("x", "numeric", 3, 3),))
    assert suggest(empty) == ()
