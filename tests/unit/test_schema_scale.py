"""Building and parsing types and schemas costs time linear in their size, and nesting is capped.

Speed is measured by counting work, never by a clock: names are a ``str`` subclass that counts
every comparison made on it (a duplicate check with ``list.count`` or ``in list`` compares each
name with every other), and a profile hook counts the Python calls a walk over a nested type
makes at two depths. The old quadratic construction of a 4,000-column schema made 16 million
comparisons; the checks below allow a few per name.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable
from typing import Any

import pytest

from sparksig import (
    Array,
    ColSpec,
    Map,
    ModelSignature,
    Object,
    ParamSchema,
    ParamSpec,
    Property,
    Schema,
    SchemaDefinitionError,
    SerializationError,
)
from sparksig.types import MAX_DEPTH, depth_of, duplicates, type_from_dict


class CountingName(str):
    """A column or property name that counts how often it is compared."""

    comparisons = 0

    def _count(op: Callable[[str, object], Any]) -> Callable[[str, object], Any]:  # type: ignore[misc]
        def compare(self: str, other: object) -> Any:
            CountingName.comparisons += 1
            return op(self, other)

        return compare

    __eq__ = _count(str.__eq__)  # type: ignore[assignment]
    __ne__ = _count(str.__ne__)  # type: ignore[assignment]
    __lt__ = _count(str.__lt__)  # type: ignore[assignment]
    __le__ = _count(str.__le__)  # type: ignore[assignment]
    __gt__ = _count(str.__gt__)  # type: ignore[assignment]
    __ge__ = _count(str.__ge__)  # type: ignore[assignment]
    __hash__ = str.__hash__


def comparisons(action: Callable[[], Any]) -> int:
    CountingName.comparisons = 0
    action()
    return CountingName.comparisons


def names(n: int) -> list[CountingName]:
    return [CountingName(f"c{i}") for i in range(n)]


N = 4000


def test_the_counter_sees_a_quadratic_duplicate_check():
    """The measuring stick works: the check sparksig used to run costs n² comparisons."""
    few = names(200)
    assert comparisons(lambda: sorted({n for n in few if few.count(n) > 1})) >= 200 * 199


def test_a_schema_is_built_with_a_few_comparisons_per_column():
    specs = [ColSpec("double", name) for name in names(N)]
    assert comparisons(lambda: Schema(specs)) <= 4 * N


def test_a_schema_is_parsed_with_a_few_comparisons_per_column():
    doc = [{"type": "long", "name": name, "required": True} for name in names(N)]
    schema = None

    def parse() -> None:
        nonlocal schema
        schema = Schema.from_json(doc)

    assert comparisons(parse) <= 4 * N
    assert schema is not None and len(schema) == N


def test_an_object_with_many_properties_costs_n_log_n_comparisons():
    """Sorting the properties is the only superlinear step (MLflow's order is by name)."""
    props = [Property(name, "long") for name in reversed(names(N))]
    budget = 4 * N * math.ceil(math.log2(N))
    assert comparisons(lambda: Object(props)) <= budget
    body = {name: {"type": "long", "required": True} for name in names(N)}
    assert comparisons(lambda: type_from_dict({"type": "object", "properties": body})) <= budget


def test_params_and_lookups_by_name_cost_a_few_comparisons_each():
    params = [ParamSpec(name, "long", 1) for name in names(N)]
    assert comparisons(lambda: ParamSchema(params)) <= 4 * N
    schema = Schema([ColSpec("long", name) for name in names(N)])
    wanted = [str(name) for name in names(N)]
    assert comparisons(lambda: [schema[name] for name in wanted]) <= 4 * N
    obj = Object([Property(name, "long") for name in names(N)])
    assert comparisons(lambda: [obj.property(name) for name in wanted]) <= 4 * N * 13


def test_duplicates_are_still_found_and_named():
    specs = [ColSpec("long", name) for name in names(N)] + [ColSpec("double", "c7")]
    with pytest.raises(SchemaDefinitionError, match=r"duplicate names: \['c7'\]"):
        Schema(specs)
    with pytest.raises(SchemaDefinitionError, match=r"duplicate properties: \['c3'\]"):
        Object([Property("c3", "long"), *(Property(n, "long") for n in names(10))])
    with pytest.raises(SchemaDefinitionError, match="duplicate names"):
        ParamSchema([ParamSpec("k", "long", 1), ParamSpec("k", "long", 2)])
    assert duplicates(["b", "a", "b", "a", "b", "c"]) == ["b", "a"]


def test_a_message_about_thousands_of_duplicates_stays_short():
    specs = [ColSpec("long", f"c{i % 3000}") for i in range(6000)]
    with pytest.raises(SchemaDefinitionError) as info:
        Schema(specs)
    assert "and 2990 more" in str(info.value)
    assert len(str(info.value)) < 300


def test_16k_columns_round_trip_through_json_and_keep_their_order():
    n = 16_000
    schema = Schema([ColSpec("double" if i % 2 else "string", f"c{i}") for i in range(n)])
    text = schema.to_json()
    back = Schema.from_json(text)
    assert back == schema and hash(back) == hash(schema)
    assert back.input_names() == [f"c{i}" for i in range(n)]
    assert json.loads(text)[n - 1] == {"type": "double", "name": f"c{n - 1}", "required": True}
    assert back[f"c{n - 1}"] is back.inputs[n - 1]
    sig = ModelSignature(inputs=schema)
    assert ModelSignature.from_dict(sig.to_dict()) == sig


# -- nesting ------------------------------------------------------------------------------


def nested_arrays(depth: int) -> Any:
    t: Any = "long"
    for _ in range(depth):
        t = Array(t)
    return t


def nested_objects(depth: int) -> Any:
    t: Any = "long"
    for i in range(depth):
        t = Object([Property("inner", t), Property(f"leaf{i}", "string", required=False)])
    return t


def nested_mixed(depth: int) -> Any:
    t: Any = "double"
    kinds = [Array, Map, lambda c: Object([Property("x", c)])]
    for i in range(depth):
        t = kinds[i % 3](t)
    return t


BUILDERS = {"arrays": nested_arrays, "objects": nested_objects, "mixed": nested_mixed}


def python_calls(action: Callable[[], Any]) -> int:
    """How many Python-level function calls ``action`` makes (C calls not counted)."""
    count = 0

    def profile(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call":
            count += 1

    sys.setprofile(profile)
    try:
        action()
    finally:
        sys.setprofile(None)
    return count


WALKS: dict[str, Callable[[Any], Any]] = {
    "build": lambda kind_and_depth: BUILDERS[kind_and_depth[0]](kind_and_depth[1]),
    "to_dict": lambda t: t.to_dict(),
    "from_dict": lambda t: type_from_dict(t.to_dict()),
    "repr": repr,
    "hash": hash,
    "eq": lambda t: t == type_from_dict(t.to_dict()),
}


@pytest.mark.parametrize("kind", sorted(BUILDERS))
@pytest.mark.parametrize("walk", sorted(WALKS))
def test_walks_over_a_nested_type_are_linear_in_its_depth(kind, walk):
    """Doubling the depth at most doubles the calls (plus a constant): no level walks its
    children again (a depth check per level that recursed would make it quadratic)."""

    def cost(depth: int) -> int:
        if walk == "build":
            return python_calls(lambda: WALKS[walk]((kind, depth)))
        t = BUILDERS[kind](depth)
        return python_calls(lambda: WALKS[walk](t))

    shallow, deep = cost(15), cost(30)
    assert deep <= 2 * shallow + 20, (shallow, deep)


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_a_type_at_the_depth_limit_survives_every_walk(kind):
    t = BUILDERS[kind](MAX_DEPTH)
    assert depth_of(t) == MAX_DEPTH
    schema = Schema([ColSpec(t, "deep")])
    back = Schema.from_json(schema.to_json())
    assert back == schema and hash(back) == hash(schema)
    assert repr(back).count("(") >= MAX_DEPTH
    assert ModelSignature.from_dict(ModelSignature(inputs=schema).to_dict()).inputs == schema


@pytest.mark.parametrize("kind", sorted(BUILDERS))
def test_one_level_past_the_limit_is_refused_when_built(kind):
    deepest = BUILDERS[kind](MAX_DEPTH)
    wrap = {
        "arrays": Array,
        "objects": lambda c: Object([Property("inner", c)]),
        "mixed": Map,
    }[kind]
    with pytest.raises(SchemaDefinitionError) as info:
        wrap(deepest)
    message = str(info.value)
    assert f"at most {MAX_DEPTH} levels" in message
    assert "MAX_DEPTH" in message
    step = {"arrays": "items", "objects": "properties.inner", "mixed": "values"}[kind]
    assert f"along {step}" in message


def test_the_refusal_names_the_deepest_branch():
    deep = nested_arrays(MAX_DEPTH - 1)
    obj = Object([Property("flat", "long"), Property("deep", deep)])
    assert depth_of(obj) == MAX_DEPTH
    with pytest.raises(SchemaDefinitionError, match=r"along items\.properties\.deep\.items"):
        Array(obj)


def test_a_document_past_the_limit_is_refused_when_parsed():
    body: dict[str, Any] = {"type": "long"}
    for _ in range(MAX_DEPTH + 1):
        body = {"type": "object", "properties": {"p": body}}
    with pytest.raises(SerializationError, match=f"more than {MAX_DEPTH} levels") as info:
        Schema.from_json([{"name": "c", **body}])
    assert info.value.path.startswith("[0].properties.p.properties.p")


def test_the_limit_leaves_room_below_the_recursion_limit():
    """The walks at the limit need far fewer frames than Python allows."""
    t = nested_mixed(MAX_DEPTH)
    frames = 0

    def deepest_stack(frame: Any, event: str, arg: Any) -> None:
        nonlocal frames
        if event == "call":
            n, f = 0, frame
            while f is not None:
                n, f = n + 1, f.f_back
            frames = max(frames, n)

    sys.setprofile(deepest_stack)
    try:
        type_from_dict(json.loads(json.dumps(t.to_dict())))
        repr(t)
        hash(t)
    finally:
        sys.setprofile(None)
    assert frames < sys.getrecursionlimit() / 2, frames


def test_a_json_document_nested_past_the_parser_is_a_serialization_error():
    with pytest.raises(SerializationError, match="nested too deeply"):
        Schema.from_json("[" * 100_000 + "]" * 100_000)
