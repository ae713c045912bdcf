"""The native engine and the Arrow engine give the same findings, row for row.

The native engine (:mod:`sparksig.spark.check.native`, Spark expressions) and the Arrow engine
(:mod:`sparksig.spark.check.arrow`, :meth:`sparksig.enforce.plan.Plan.check` in Python workers)
are independent implementations of the same rules (:mod:`sparksig.rules`). Hypothesis draws a
signature and a table that plants nulls at every depth, NaN and infinities, timestamps beyond
``datetime64[ns]`` and misshapen tensors (:mod:`tests.spark.engine_strategies`); then

- ``validate`` reports the same ``(code, path, count)`` and ``rows_checked`` with either engine;
- ``conform(..., on_error="quarantine")`` rejects the same rows for the same reasons with either
  engine, and puts every row in exactly one of its two outputs;
- each engine's ``conform`` rejects, per ``code:path``, exactly the rows its ``validate`` counts.

Each example costs a handful of small Spark jobs (about 1-3 s on a shared 2-core machine), so
the ``ci`` profile's 70 column-schema examples (and a third as many tensor ones) keep the file
within a few minutes; ``--hypothesis-profile deep`` runs ten times as many for a deeper search,
and ``dev`` (the default) a tenth.

Minimal examples of past disagreements are plain tests at the end.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from pyspark.ml.linalg import Vectors, VectorUDT
from pyspark.sql import VariantVal
from pyspark.sql import functions as F
from pyspark.sql import types as T

import sparksig as ss
from sparksig import spark as sss
from tests.labels import labels
from tests.spark.engine_strategies import ROW_ID, Case, cases, column_schemas, tensor_schemas
from tests.strategies import examples

ENGINES = ("native", "arrow")
REASONS = sss.REASONS_COLUMN

EXAMPLES = examples(70)
SETTINGS = settings(
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _findings(report) -> Counter:
    return Counter((v.code, v.column_path, v.count) for v in report.violations)


def _data_level(report) -> Counter:
    return Counter(
        (v.code, v.column_path, v.count) for v in report.violations if v.count is not None
    )


def _quarantines(df, case: Case, **options) -> dict[str, tuple[list[int], list[tuple]]]:
    """Per engine: the valid row ids and the rejected ``(row id, sorted reasons)``; one job
    reads all four outputs (each ``conform`` has already run its own checkpoint job)."""
    parts = []
    for engine in ENGINES:
        valid, rejected = sss.conform(
            df, case.schema, on_error="quarantine", key_columns=[ROW_ID], engine=engine, **options
        )
        no_reasons = F.lit(None).cast(sss.REASONS_TYPE)
        parts.append(valid.select(F.lit(engine).alias("e"), ROW_ID, no_reasons.alias("r")))
        parts.append(rejected.select(F.lit(engine).alias("e"), ROW_ID, F.col(REASONS).alias("r")))
    both = parts[0]
    for part in parts[1:]:
        both = both.unionAll(part)
    out: dict[str, tuple[list[int], list[tuple]]] = {e: ([], []) for e in ENGINES}
    for row in both.collect():
        valid_ids, rejected = out[row["e"]]
        if row["r"] is None:
            valid_ids.append(row[ROW_ID])
        else:
            rejected.append((row[ROW_ID], tuple(sorted(labels(row["r"])))))
    return out


def _check_engines_agree(
    spark, case: Case, strict_nulls: bool, finite_only: bool, keyed: bool, conform: bool = True
) -> None:
    df = spark.createDataFrame(case.rows, case.struct)
    options = {"strict_nulls": strict_nulls, "finite_only": finite_only}
    n = len(case.rows)

    keys = [ROW_ID] if keyed else []  # examples then carry the row id (another code path)
    arrow = sss.validate(df, case.schema, engine="arrow", key_columns=keys, **options)
    try:
        native = sss.validate(df, case.schema, engine="native", key_columns=keys, **options)
    except ss.UnsupportedTypeError as e:
        # the one documented refusal (sparksig.spark.check.sql.renamed): Spark can neither
        # tell case twins apart by name nor cast a struct holding a variant
        assert "differ only in case, beside a variant" in str(e), e
        event("native refuses case twins beside a variant")
        return
    for code in sorted({v.code for v in arrow.violations}):
        event(f"found {code}")
    event("native engine compiled no check" if native.checks == 0 else "native engine ran")
    schema_level = Counter(
        (v.code, v.column_path, v.count) for v in native.violations if v.count is None
    )
    if native.checks == 0:
        # nothing compiled (or nothing to check): the native engine read no rows, so the
        # Arrow engine, if it read them, must have found nothing in them either
        assert not _data_level(arrow), arrow
        assert _findings(native) == _findings(arrow)
        assert arrow.rows_checked == (n if arrow.checks else 0)
    else:
        assert _findings(native) == _findings(arrow)
        assert native.rows_checked == arrow.rows_checked == n

    if not conform:
        return
    split = _quarantines(df, case, **options)
    everyone = set(range(n))
    for engine, (valid_ids, rejected) in split.items():
        rejected_ids = [i for i, _ in rejected]
        assert len(valid_ids) == len(set(valid_ids)), (engine, "a valid row twice")
        assert len(rejected_ids) == len(set(rejected_ids)), (engine, "a rejected row twice")
        assert not set(valid_ids) & set(rejected_ids), (engine, "a row in both outputs")
        assert set(valid_ids) | set(rejected_ids) == everyone, (engine, "a row lost")
        assert all(reasons for _, reasons in rejected), (engine, "rejected without a reason")
    assert dict(split["native"][1]) == dict(split["arrow"][1])

    # conform rejects, for each finding of validate, exactly the rows validate counted
    report = native if native.checks else arrow
    labels = Counter(label for _, reasons in split["native"][1] for label in reasons)
    if schema_level:
        expected = Counter({f"{code}:{path}": n for code, path, _ in schema_level if n})
    else:
        expected = Counter({f"{v.code}:{v.column_path}": v.count for v in report.violations})
    assert labels == expected


@settings(SETTINGS, max_examples=EXAMPLES)
@given(
    case=cases(column_schemas()),
    strict_nulls=st.booleans(),
    finite_only=st.booleans(),
    keyed=st.booleans(),
)
def test_engines_agree_on_column_schemas(spark, case, strict_nulls, finite_only, keyed):
    _check_engines_agree(spark, case, strict_nulls, finite_only, keyed)


@settings(SETTINGS, max_examples=max(1, EXAMPLES // 3))
@given(case=cases(tensor_schemas()), strict_nulls=st.booleans(), keyed=st.booleans())
def test_engines_agree_on_tensor_schemas(spark, case, strict_nulls, keyed):
    _check_engines_agree(spark, case, strict_nulls, finite_only=False, keyed=keyed)


@settings(SETTINGS, max_examples=max(1, EXAMPLES // 3))
@given(
    case=cases(column_schemas(), uncastable=True),
    strict_nulls=st.booleans(),
    finite_only=st.booleans(),
    keyed=st.booleans(),
)
def test_engines_agree_on_structs_conform_must_rebuild(
    spark, case, strict_nulls, finite_only, keyed
):
    # structs without optional properties, with fields in another order, or standing for
    # maps: conform rebuilds them by name (a plain Spark cast would pair fields by position)
    _check_engines_agree(spark, case, strict_nulls, finite_only, keyed)


# -- minimal examples of past disagreements ------------------------------------------------------


def _table(spark, struct: T.StructType, rows: list[tuple]):
    return spark.createDataFrame(rows, T.StructType([T.StructField(ROW_ID, T.LongType()), *struct]))


def _both(spark, schema, struct, rows, **options) -> dict[str, tuple[set, dict, list]]:
    """Per engine: validate's ``(code, path, count)``, conform's rejected ``{id: reasons}`` and
    its valid ids (sorted)."""
    df = _table(spark, struct, rows)
    split = _quarantines(df, Case(schema, df.schema, rows), **options)
    out = {}
    for engine in ENGINES:
        report = sss.validate(df, schema, engine=engine, **options)
        valid_ids, rejected = split[engine]
        out[engine] = (set(_findings(report)), dict(rejected), sorted(valid_ids))
    return out


NESTED_VECTORS = T.StructType([T.StructField("b", T.ArrayType(VectorUDT()))])
VECTOR_ROWS = [
    (0, [Vectors.dense([math.nan])]),
    (1, [Vectors.dense([1.0]), None]),
    (2, [Vectors.sparse(3, [1], [math.inf])]),
    (3, None),
]


def test_arrow_conform_takes_a_dotted_column_name(spark):
    # mapInArrow resolved the table's columns by name, and `c.d` is no name it resolves
    schema = ss.Schema([ss.ColSpec("boolean", "c.d")])
    struct = T.StructType([T.StructField("c.d", T.BooleanType())])
    out = _both(spark, schema, struct, [(0, None), (1, True)], strict_nulls=True)
    for engine in ENGINES:
        assert out[engine] == (
            {("null_in_required", "c.d", 1)},
            {0: ("null_in_required:c.d",)},
            [1],
        ), engine


def test_arrow_conform_with_no_column_to_check(spark):
    # an absent optional column and an any column leave nothing to check: every row is valid
    schema = ss.Schema([ss.ColSpec("long", "gone", False), ss.ColSpec(ss.AnyType(), "v")])
    struct = T.StructType([T.StructField("v", T.VariantType())])
    out = _both(spark, schema, struct, [(0, None), (1, VariantVal.parseJson("1"))])
    for engine in ENGINES:
        assert out[engine] == (set(), {}, [0, 1]), engine


def test_arrow_engine_checks_vectors_below_the_top_level_for_finiteness(spark):
    # the Arrow engine read a nested vector as Spark's struct storage and skipped it
    schema = ss.Schema([ss.ColSpec(ss.Array(ss.SparkMLVector()), "b", False)])
    df = _table(spark, NESTED_VECTORS, VECTOR_ROWS)
    for engine in ENGINES:
        report = sss.validate(df, schema, engine=engine, finite_only=True)
        assert set(_findings(report)) == {("non_finite", "b[][]", 2)}, engine


def test_conform_makes_vectors_below_the_top_level_dense(spark):
    # conform cast array<vector> to the signature's array<array<double>>, which Spark refuses
    schema = ss.Schema([ss.ColSpec(ss.Array(ss.SparkMLVector()), "b", False)])
    out = _both(spark, schema, NESTED_VECTORS, VECTOR_ROWS, finite_only=True)
    for engine in ENGINES:
        assert out[engine] == (
            {("non_finite", "b[][]", 2)},
            {0: ("non_finite:b[][]",), 2: ("non_finite:b[][]",)},
            [1, 3],
        ), engine
    df = _table(spark, NESTED_VECTORS, VECTOR_ROWS)
    for engine in ENGINES:
        valid = sss.conform(
            df, schema, on_error="drop", key_columns=[ROW_ID], engine=engine, finite_only=True
        )
        assert sorted((r[ROW_ID], r["b"]) for r in valid.collect()) == [
            (1, [[1.0], None]),
            (3, None),
        ], engine


def test_native_reads_struct_fields_that_differ_only_in_case(spark):
    # Spark resolves o.a case-insensitively: next to o.A it is ambiguous
    schema = ss.Schema(
        [ss.ColSpec(ss.Object([ss.Property("a", "long"), ss.Property("A", "long")]), "o")]
    )
    struct = T.StructType(
        [
            T.StructField(
                "o",
                T.StructType([T.StructField("A", T.LongType()), T.StructField("a", T.LongType())]),
            )
        ]
    )
    out = _both(spark, schema, struct, [(0, (1, None)), (1, (None, 2)), (2, (3, 4))])
    for engine in ENGINES:
        assert out[engine] == (
            {("null_in_required", "o.a", 1), ("null_in_required", "o.A", 1)},
            {0: ("null_in_required:o.a",), 1: ("null_in_required:o.A",)},
            [2],
        ), engine


def test_conform_casts_a_struct_without_an_optional_property(spark):
    schema = ss.Schema(
        [ss.ColSpec(ss.Object([ss.Property("a", "long"), ss.Property("b", "long", False)]), "o")]
    )
    struct = T.StructType([T.StructField("o", T.StructType([T.StructField("a", T.LongType())]))])
    df = _table(spark, struct, [(0, (1,))])
    valid = sss.conform(df, schema, on_error="drop")
    assert [r["o"].asDict() for r in valid.collect()] == [{"a": 1, "b": None}]


def test_conform_matches_struct_fields_by_name(spark):
    schema = ss.Schema(
        [ss.ColSpec(ss.Object([ss.Property("a", "long"), ss.Property("b", "long")]), "o")]
    )
    struct = T.StructType(
        [
            T.StructField(
                "o",
                T.StructType([T.StructField("b", T.LongType()), T.StructField("a", T.LongType())]),
            )
        ]
    )
    df = _table(spark, struct, [(0, (2, 1))])  # b = 2, a = 1
    assert [r["o"].asDict() for r in sss.conform(df, schema).collect()] == [{"a": 1, "b": 2}]


def test_native_engine_reads_a_struct_standing_for_a_map(spark):
    # the binding accepts a struct for a map (one field per key; null: the key is absent);
    # the native engine did not look inside it
    struct = T.StructType(
        [
            T.StructField(
                "m",
                T.StructType(
                    [
                        T.StructField("k", T.ArrayType(T.TimestampType())),
                        T.StructField("j", T.ArrayType(T.TimestampType())),
                    ]
                ),
            )
        ]
    )
    year_1 = dt.datetime(1, 1, 1, tzinfo=dt.timezone.utc)
    df = _table(spark, struct, [(0, ([year_1], [None])), (1, (None, None)), (2, None)])
    schema = ss.Schema([ss.ColSpec(ss.Map(ss.Array("datetime")), "m")])
    for engine in ENGINES:
        report = sss.validate(df, schema, engine=engine)
        assert set(_findings(report)) == {
            ("null_in_required", "m", 1),
            ("out_of_range", "m{}[]", 1),
            ("null_in_required", "m{}[]", 1),
        }, engine


def test_conform_turns_a_struct_standing_for_a_map_into_a_map(spark):
    struct = T.StructType([T.StructField("m", T.StructType([T.StructField("k", T.LongType())]))])
    df = _table(spark, struct, [(0, (1,))])
    valid = sss.conform(df, ss.Schema([ss.ColSpec(ss.Map("long"), "m")]), on_error="drop")
    assert [r["m"] for r in valid.collect()] == [{"k": 1}]
