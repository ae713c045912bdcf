"""The profile's data model: JSON round trips, path-named errors on any malformed input,
the histogram's bins, and hostile names kept as data."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparksig.errors import SchemaDefinitionError, SerializationError
from sparksig.profile import (
    Categories,
    ColumnProfile,
    Domain,
    Histogram,
    Lengths,
    MaxLength,
    Profile,
    Quantiles,
    Range,
    bin_index,
    histogram_edges,
)
from tests.strategies import examples

HOSTILE = [
    "a.b",
    "${spark.app.name}",
    "${env:HOME}",
    "it's",
    'say "hi"',
    "x`y",
    "-- c",
    "/* c */",
    "naïve ünï",
    "名前",
    "[red]x[/]",
    "\x1b[31mred",
    "tab\there",
    "new\nline",
    "tags[]",
    " ",
]

finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
paths = st.sampled_from(HOSTILE) | st.text(min_size=1, max_size=12)


@st.composite
def histograms(draw: st.DrawFn) -> Histogram:
    edges = sorted(set(draw(st.lists(finite, min_size=1, max_size=8))))
    counts = draw(
        st.lists(st.integers(0, 10**12), min_size=len(edges) + 2, max_size=len(edges) + 2)
    )
    return Histogram(tuple(edges), tuple(counts))


category_values = st.one_of(
    st.text(max_size=8), st.booleans(), st.integers(-(2**63), 2**63), finite
)


@st.composite
def categories(draw: st.DrawFn) -> Categories:
    values = draw(st.lists(category_values, max_size=6, unique_by=lambda v: (type(v) is bool, v)))
    values = [
        v
        for i, v in enumerate(values)
        if not any(type(v) is not bool and type(w) is not bool and v == w for w in values[:i])
    ]
    counts = draw(st.lists(st.integers(0, 10**9), min_size=len(values), max_size=len(values)))
    return Categories(tuple(values), tuple(counts), draw(st.integers(0, 10**9)))


@st.composite
def column_profiles(draw: st.DrawFn, path: str) -> ColumnProfile:
    kind = draw(
        st.sampled_from(["numeric", "string", "boolean", "datetime", "array", "object", "other"])
    )
    count = draw(st.integers(0, 10**12))
    nulls = draw(st.integers(0, count))
    fields: dict = {"distinct": draw(st.none() | st.integers(0, 10**6))}
    if kind == "numeric":
        lo = draw(finite | st.integers(-(2**63), 2**63) | st.just(math.inf) | st.just(-math.inf))
        fields.update(
            minimum=lo,
            maximum=draw(st.none() | finite),
            mean=draw(st.none() | finite | st.just(math.inf)),
            histogram=draw(st.none() | histograms()),
        )
        if draw(st.booleans()):
            values = sorted(draw(st.lists(finite, min_size=3, max_size=3)))
            fields["quantiles"] = Quantiles((0.0, 0.5, 1.0), tuple(values))
    if kind in ("string", "boolean"):
        fields["categories"] = draw(categories())
    if kind == "datetime":
        fields.update(minimum="2020-01-01T00:00:00", maximum="2024-02-29T23:59:59.999999")
    if kind in ("string", "array"):
        lo = draw(st.integers(0, 100))
        hi = lo + draw(st.integers(0, 100))
        fields["lengths"] = Lengths(lo, hi, (lo + hi) / 2)
    return ColumnProfile(path, kind, count, nulls, **fields)


@st.composite
def profiles(draw: st.DrawFn) -> Profile:
    names = draw(st.lists(paths, min_size=1, max_size=5, unique=True))
    columns = tuple(draw(column_profiles(n)) for n in names)
    constraints = []
    for n in names:
        if draw(st.booleans()):
            constraints.append(Range(n, draw(finite), None))
        if draw(st.booleans()):
            constraints.append(
                Domain(n, draw(st.lists(st.text(max_size=5), min_size=1, max_size=4)))
            )
        if draw(st.booleans()):
            constraints.append(MaxLength(n, draw(st.integers(0, 1000))))
    return Profile(draw(st.integers(0, 10**12)), columns, tuple(constraints), draw(st.booleans()))


@settings(max_examples=examples(200))
@given(profiles())
def test_json_round_trip(profile):
    text = profile.to_json()
    json.loads(text)  # strict JSON: no bare NaN/Infinity
    assert "NaN" not in text.replace('"NaN"', "") and "Infinity" not in text.replace(
        '"Infinity"', ""
    ).replace('"-Infinity"', "")
    back = Profile.from_json(text)
    assert back == profile
    assert back.to_json() == text


# Malformed documents: start from a valid one and break one place.
def _mutations(doc):
    """(path-ish description, mutated document) for a value at every place in the document."""

    def walk(node, trail):
        if isinstance(node, dict):
            for k in list(node):
                yield [*trail, k]
                yield from walk(node[k], [*trail, k])
        elif isinstance(node, list):
            for i in range(len(node)):
                yield [*trail, i]
                yield from walk(node[i], [*trail, i])

    return list(walk(doc, []))


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**30),
    st.floats(),
    st.text(max_size=4),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


@settings(max_examples=examples(300))
@given(profiles(), st.data())
def test_malformed_documents_raise_only_serialization_errors_naming_a_path(profile, data):
    doc = json.loads(profile.to_json())
    places = _mutations(doc)
    trail = data.draw(st.sampled_from(places))
    action = data.draw(st.sampled_from(["replace", "delete"]))
    node = doc
    for step in trail[:-1]:
        node = node[step]
    if action == "delete":
        del node[trail[-1]]
    else:
        node[trail[-1]] = data.draw(junk)
    try:
        parsed = Profile.from_dict(doc)
    except SerializationError as e:
        assert e.path.startswith("profile"), e
        assert not isinstance(e, (KeyError, IndexError))
    else:
        assert isinstance(parsed, Profile)  # some mutations are still valid documents


@settings(max_examples=examples(100))
@given(st.binary(max_size=60) | st.text(max_size=60))
def test_garbage_text_is_a_serialization_error(text):
    with pytest.raises(SerializationError):
        Profile.from_json(text)


@pytest.mark.parametrize(
    ("doc", "path"),
    [
        ({}, "profile.profile_version"),
        ({"profile_version": 2, "rows": 1, "columns": []}, "profile.profile_version"),
        ({"profile_version": 1, "rows": -1, "columns": []}, "profile.rows"),
        (
            {
                "profile_version": 1,
                "rows": 1,
                "columns": [{"path": "a", "kind": "nope", "count": 1, "null_count": 0}],
            },
            "profile.columns[0].kind",
        ),
        (
            {
                "profile_version": 1,
                "rows": 1,
                "columns": [
                    {
                        "path": "a",
                        "kind": "numeric",
                        "count": 1,
                        "null_count": 0,
                        "histogram": {"edges": [1.0], "counts": [0, "x", 0]},
                    }
                ],
            },
            "profile.columns[0].histogram.counts[1]",
        ),
        (
            {
                "profile_version": 1,
                "rows": 1,
                "columns": [],
                "constraints": [{"type": "range", "path": "a"}],
            },
            "profile.constraints[0]",
        ),
        (
            {
                "profile_version": 1,
                "rows": 1,
                "columns": [],
                "constraints": [{"type": "domain", "path": "a", "values": [[1]]}],
            },
            "profile.constraints[0].values[0]",
        ),
    ],
)
def test_errors_name_the_field(doc, path):
    with pytest.raises(SerializationError) as e:
        Profile.from_dict(doc)
    assert e.value.path == path
    assert str(e.value).startswith(path)


def test_a_newer_version_says_to_upgrade():
    with pytest.raises(SerializationError, match="upgrade sparksig"):
        Profile.from_dict({"profile_version": 9, "rows": 0, "columns": []})


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_are_data(name):
    col = ColumnProfile.from_aggregates(
        name,
        "string",
        count=3,
        null_count=1,
        top=[(name, 2)],
        length_min=1,
        length_max=4,
        length_mean=2,
    )
    profile = Profile(3, (col,), (Domain(name, [name]), MaxLength(name, 4)))
    back = Profile.from_json(profile.to_json())
    assert back.column(name).path == name
    assert back.column(name).categories.values == (name,)
    assert back.constraints_on(name) == profile.constraints


def test_histogram_edges_dedupe_ties_and_handle_degenerate_columns():
    assert histogram_edges([1, 1, 2, 2, 2, 3]) == (1.0, 2.0, 3.0)
    assert histogram_edges([7, 7, 7]) == (7.0,)
    assert histogram_edges([None] * 5) == ()
    assert histogram_edges([]) == ()
    assert histogram_edges([math.inf, -math.inf, math.nan]) == ()
    assert histogram_edges([0.0, -0.0, 1.0]) == (0.0, 1.0)
    # approximate quantiles that miss the extremes: the minimum and maximum are edges
    assert histogram_edges([2.0, 3.0], minimum=1.0, maximum=4.0) == (1.0, 2.0, 3.0, 4.0)


def test_constant_column_has_one_inner_bin_and_counts_outliers():
    edges = histogram_edges([5.0] * 11)
    assert Histogram.of_values(edges, [5.0, 5.0, 4.0, 6.0, 7.0]).counts == (1, 2, 2)


@settings(max_examples=examples(200))
@given(st.lists(finite, min_size=1, max_size=30), st.lists(finite, max_size=30))
def test_every_training_value_is_in_an_inner_bin_and_bins_are_ordered(train, scoring):
    edges = histogram_edges(sorted(train)[:: max(1, len(train) // 10)], min(train), max(train))
    m = len(edges)
    for x in train:
        assert 1 <= bin_index(x, edges) <= m
    ordered = sorted(scoring)
    indices = [bin_index(x, edges) for x in ordered]
    assert indices == sorted(indices)
    for x, i in zip(ordered, indices):
        assert (i == 0) == (x < edges[0]) and (i == m + 1) == (x > edges[-1])


def test_bin_index_refuses_nan():
    with pytest.raises(ValueError, match="missing"):
        bin_index(math.nan, (1.0,))


def test_from_aggregates_takes_spark_style_values():
    import datetime as dt
    from decimal import Decimal

    col = ColumnProfile.from_aggregates(
        "t", "datetime", count=2, minimum=dt.datetime(2020, 1, 1), maximum=dt.datetime(2021, 1, 1)
    )
    assert col.minimum == "2020-01-01T00:00:00"
    num = ColumnProfile.from_aggregates(
        "x",
        "numeric",
        count=4,
        null_count=4,
        minimum=None,
        maximum=None,
        quantile_values=[None, None, None],
        probabilities=[0.0, 0.5, 1.0],
        bin_counts=[0, 0],
    )
    assert num.histogram is None and num.quantiles is None  # all-null column
    dec = ColumnProfile.from_aggregates(
        "d",
        "numeric",
        count=1,
        minimum=Decimal("1.5"),
        maximum=Decimal("1.5"),
        quantile_values=[Decimal("1.5")],
        probabilities=[0.5],
        bin_counts=[0, 1, 0],
    )
    assert dec.histogram == Histogram((1.5,), (0, 1, 0))


def test_categories_keep_true_and_one_apart_and_refuse_repeats():
    cats = Categories.top([(True, 3), (1, 2), ("1", 1)])
    assert cats.values == (True, 1, "1")
    assert (
        Profile.from_json(
            Profile(1, (ColumnProfile("b", "numeric", 6, categories=cats),)).to_json()
        )
        .columns[0]
        .categories
        == cats
    )
    with pytest.raises(SchemaDefinitionError, match="repeat"):
        Categories(("a", "a"), (1, 1))


def test_a_profile_refuses_repeated_paths_and_a_second_constraint_of_a_kind():
    col = ColumnProfile("a", "numeric", 1)
    with pytest.raises(SchemaDefinitionError, match="twice"):
        Profile(1, (col, col))
    with pytest.raises(SchemaDefinitionError, match="at most one"):
        Profile(1, (col,), (Range("a", 0, 1), Range("a", 0, 2)))
