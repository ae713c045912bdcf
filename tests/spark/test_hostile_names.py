"""No name can change what a check means (issue: the native engine safe by construction).

Spark does not take SQL text literally: it substitutes ``${...}`` (``spark.sql.variable.
substitute``, on by default; ``${env:NAME}`` reads the driver's environment), and quotes,
comments, semicolons and keywords are syntax. The native engine reads columns only through
internal aliases (:mod:`sparksig.spark.check.native`), so a column, struct field or map key named
like SQL must be checked exactly as the Arrow engine checks it, by every verb, and no session
setting or environment value may appear in any output.

Hypothesis draws names from those characters, SQL keywords, unicode, dots, brackets and case
twins, at the top level and inside structs, arrays and maps (:func:`hostile_schemas`); the
tables come from the differential test's strategy (nulls at every depth, NaN, timestamps out
of range). Under the ``ci`` profile the engine property runs 200 examples; the default
profile runs a handful.
"""

from __future__ import annotations

import json
import os
import re
import time
import uuid

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyspark.sql import functions as F
from pyspark.sql import types as T

import sparksig as ss
from sparksig import spark as sss
from sparksig.spark.check.binding import bind
from sparksig.spark.check.native import compile_checks
from tests.labels import labels
from tests.spark.engine_strategies import ROW_ID, cases
from tests.spark.test_engines_differential import SETTINGS, _check_engines_agree
from tests.strategies import CI_EXAMPLES, examples

CANARY_KEY = "spark.sparksig.canary"
CANARY = "canary-5be1c-value"
# what must never be read into a name: a session setting and an environment variable
FORBIDDEN = [CANARY, os.environ.get("PATH", "/usr/bin:/bin")]

HOSTILE = [
    "${spark.sparksig.canary}",
    "v${spark.sparksig.canary}",
    "${env:PATH}",
    "${env:HOME}x",
    "$",
    "${",
    "}",
    "{x}",
    "a'b",
    "'",
    'a"b',
    "a`b",
    "`",
    "``",
    "--",
    "x -- y",
    "/*",
    "*/",
    "/* c */",
    ";",
    "a; DROP TABLE t",
    "\n",
    "a\nb",
    "\\",
    "a\\'",
    "select",
    "FROM",
    "null",
    "true",
    "CASE",
    "a.b",
    "[0]",
    "x[]",
    "m{}",
    "é",
    "名前",
    "a",
    "A",
    "aB",
    "Ab",
]
_ALPHABET = list("${}'\"`-/*;\n\\.[]aAbBé名 ")
names = st.one_of(st.sampled_from(HOSTILE), st.text(_ALPHABET, min_size=1, max_size=6))
RESERVED = {ROW_ID.lower(), sss.REASONS_COLUMN.lower()}


def _objects(children: st.SearchStrategy) -> st.SearchStrategy[ss.Object]:
    # case twins are allowed inside structs (both engines read them by position)
    props = st.lists(
        st.builds(ss.Property, names, children, st.booleans()),
        min_size=1,
        max_size=3,
        unique_by=lambda p: p.name,
    )
    return props.map(ss.Object)


def hostile_types(depth: int) -> st.SearchStrategy:
    leaves = st.sampled_from(
        [ss.DataType.long, ss.DataType.double, ss.DataType.string, ss.DataType.datetime]
    )
    if depth == 0:
        return leaves
    inner = hostile_types(depth - 1)
    return st.one_of(leaves, inner.map(ss.Array), inner.map(ss.Map), _objects(inner))


@st.composite
def hostile_schemas(draw: st.DrawFn) -> ss.Schema:
    top = draw(
        st.lists(
            names.filter(lambda n: n.lower() not in RESERVED),
            min_size=1,
            max_size=3,
            unique_by=str.lower,  # Spark refuses top-level twins; the binding says so
        )
    )
    return ss.Schema([ss.ColSpec(draw(hostile_types(2)), n, draw(st.booleans())) for n in top])


@pytest.fixture(scope="module")
def canary(spark):
    spark.conf.set(CANARY_KEY, CANARY)
    assert spark.sql(f"SELECT '${{{CANARY_KEY}}}' AS v").first()["v"] == CANARY  # it would leak
    yield
    spark.conf.unset(CANARY_KEY)


def _clean(*texts: str) -> None:
    for text in texts:
        for secret in FORBIDDEN:
            assert secret not in text, f"{secret!r} leaked into {text[:300]!r}"


# a handful in the default tier; at least 200 under the ci profile (and ten times more in deep)
ENGINE_EXAMPLES = examples(200) if settings().max_examples >= CI_EXAMPLES else 4
VERB_EXAMPLES = examples(40) if settings().max_examples >= CI_EXAMPLES else 3


@settings(SETTINGS, max_examples=ENGINE_EXAMPLES)
@given(case=cases(hostile_schemas()), strict_nulls=st.booleans(), keyed=st.booleans())
def test_native_equals_arrow_on_hostile_names(spark, canary, case, strict_nulls, keyed):
    # validate (counts, examples, rows read) and conform (which rows, for which reasons)
    _check_engines_agree(spark, case, strict_nulls, finite_only=False, keyed=keyed)
    df = spark.createDataFrame(case.rows, case.struct)
    for engine in ("native", "arrow"):
        report = sss.validate(df, case.schema, engine=engine, strict_nulls=strict_nulls)
        _clean(report.to_json(), str(report))


def _ids(frame):
    """Row ids and reasons only: other values (year-1 timestamps) need not become Python."""
    return frame.select(ROW_ID, sss.REASONS_COLUMN).collect()


def _model(pdf: pd.DataFrame) -> pd.Series:
    return pd.Series([1.0] * len(pdf))


@settings(SETTINGS, max_examples=VERB_EXAMPLES)
@given(case=cases(hostile_schemas()))
def test_score_and_write_quarantine_route_what_conform_routes(
    spark, canary, tmp_path_factory, case
):
    df = spark.createDataFrame(case.rows, case.struct)
    _, rejected = sss.conform(df, case.schema, on_error="quarantine")
    bad = {r[ROW_ID]: sorted(labels(r[sss.REASONS_COLUMN])) for r in _ids(rejected)}
    _clean(*(label for reasons in bad.values() for label in reasons))

    signature = ss.ModelSignature(case.schema, ss.Schema([ss.ColSpec("double")]))
    scored, score_rejected = sss.score(
        df, _model, signature, on_error="quarantine", strict_nulls=True
    )
    assert {r[ROW_ID]: sorted(labels(r[sss.REASONS_COLUMN])) for r in _ids(score_rejected)} == bad
    assert sorted(r[ROW_ID] for r in scored.select(ROW_ID).collect()) == sorted(
        i for i in range(len(case.rows)) if i not in bad
    )
    dropped = sss.score(df, _model, signature, on_error="drop", strict_nulls=True)
    assert dropped.count() == len(case.rows) - len(bad)

    out = tmp_path_factory.mktemp("hostile") / uuid.uuid4().hex
    fmt = "parquet"
    if _expands(df.schema):  # Spark's Parquet writer would rename it: refused, nothing written
        with pytest.raises(ss.InvalidArgumentError, match="expands"):
            sss.write_quarantine(df, case.schema, str(out), key_columns=[ROW_ID])
        assert not out.exists()
        fmt = "json"
    written = sss.write_quarantine(df, case.schema, str(out), format=fmt, key_columns=[ROW_ID])
    assert written.rejected_rows == len(bad)
    assert written.valid_rows == len(case.rows) - len(bad)
    layout = T.StructType([*df.schema, T.StructField(sss.REASONS_COLUMN, sss.REASONS_TYPE)])
    on_disk = spark.read.schema(layout).format(fmt).load(written.rejected_path)
    assert {r[ROW_ID]: sorted(labels(r[sss.REASONS_COLUMN])) for r in _ids(on_disk)} == bad
    # the rejected half keeps the table's own column names, taken literally
    assert on_disk.columns == [*df.columns, sss.REASONS_COLUMN]
    _clean(json.dumps(on_disk.columns), (out / "_sparksig_quarantine.json").read_text())


def _expands(t: T.DataType) -> bool:
    """Whether a name in ``t`` looks like a Hadoop Configuration variable (``${x}``)."""
    if isinstance(t, T.StructType):
        return any(re.search(r"\$\{[^}$ ]+\}", f.name) or _expands(f.dataType) for f in t.fields)
    if isinstance(t, T.ArrayType):
        return _expands(t.elementType)
    if isinstance(t, T.MapType):
        return _expands(t.valueType)
    return False


def test_parquet_is_refused_where_spark_would_rewrite_a_name(spark, canary, tmp_path):
    # measured: Spark writes a Parquet column "${spark.sparksig.canary}" as the setting's value
    # (and ORC mixes up the values of such columns): both are refused, json keeps the names
    name = "${spark.sparksig.canary}"
    df = spark.createDataFrame([(1,)], T.StructType([T.StructField(name, T.LongType())]))
    df.write.parquet(str(tmp_path / "plain"))
    assert spark.read.parquet(str(tmp_path / "plain")).columns == [CANARY]  # Spark's own doing
    schema = ss.Schema([ss.ColSpec("long", name)])
    for fmt in ("parquet", "orc"):
        with pytest.raises(ss.InvalidArgumentError, match=r"expands \$\{\.\.\.\} in names"):
            sss.write_quarantine(df, schema, str(tmp_path / "q"), format=fmt)
        assert not (tmp_path / "q").exists()
    written = sss.write_quarantine(df, schema, str(tmp_path / "q"), format="json")
    assert spark.read.json(written.valid_path).columns == [name]


# -- the cases the issue reported, and the streaming verbs ----------------------------------------

TZ_TRAP = "v${spark.sql.session.timeZone}"


def _trap_table(spark):
    """A column named like a substitution that is all nulls, beside the column it would name
    after substitution, which has none; the same inside a struct."""
    tz = spark.conf.get("spark.sql.session.timeZone")
    inner = T.StructType(
        [T.StructField(TZ_TRAP, T.LongType()), T.StructField("v" + tz, T.LongType())]
    )
    struct = T.StructType(
        [
            T.StructField("id", T.LongType()),
            T.StructField(TZ_TRAP, T.LongType()),
            T.StructField("v" + tz, T.LongType()),
            T.StructField("o", inner),
        ]
    )
    rows = [(i, None, i, {TZ_TRAP: None, "v" + tz: i}) for i in range(3)]
    return spark.createDataFrame(rows, struct)


# the field the substitution would name is declared too, optional (objects are closed)
TZ_NAMES = ["v" + tz for tz in ("UTC", "Etc/UTC")]  # the session's time zone (conf/)
TRAP_SCHEMA = ss.Schema(
    [
        ss.ColSpec("long", TZ_TRAP),
        ss.ColSpec(
            ss.Object(
                [
                    ss.Property(TZ_TRAP, ss.DataType.long),
                    *(ss.Property(n, ss.DataType.long, required=False) for n in TZ_NAMES),
                ]
            ),
            "o",
        ),
    ]
)
TRAP_FINDINGS = {("null_in_required", TZ_TRAP, 3), ("null_in_required", f"o.{TZ_TRAP}", 3)}


@pytest.mark.parametrize("engine", ["native", "arrow"])
def test_a_substitution_in_a_name_checks_that_column_not_another(spark, engine):
    df = _trap_table(spark)
    report = sss.validate(df, TRAP_SCHEMA, engine=engine)
    assert {(v.code, v.column_path, v.count) for v in report.violations} == TRAP_FINDINGS
    valid, rejected = sss.conform(df, TRAP_SCHEMA, on_error="quarantine", engine=engine)
    assert valid.count() == 0
    assert sorted(r["id"] for r in rejected.collect()) == [0, 1, 2]


def test_score_does_not_score_the_rows_a_substitution_would_hide(spark):
    df = _trap_table(spark)
    signature = ss.ModelSignature(TRAP_SCHEMA, ss.Schema([ss.ColSpec("double")]))
    scored, rejected = sss.score(df, _model, signature, on_error="quarantine", strict_nulls=True)
    assert scored.count() == 0
    assert rejected.count() == 3


def test_an_env_reference_in_a_name_is_a_name(spark, canary):
    name = "${env:PATH}"
    df = spark.createDataFrame([(None,), (1,)], T.StructType([T.StructField(name, T.LongType())]))
    report = sss.validate(df, ss.Schema([ss.ColSpec("long", name)]))
    assert [(v.code, v.column_path, v.count) for v in report.violations] == [
        ("null_in_required", name, 1)
    ]
    _clean(report.to_json(), str(report))


def test_monitor_and_quarantine_stream_read_hostile_names_literally(spark, canary, tmp_path):
    source = tmp_path / "in"
    table = _trap_table(spark)
    table.write.json(str(source))  # Parquet and ORC would not keep the names (see above)
    struct = table.schema
    reports = []
    stream = spark.readStream.schema(struct).json(str(source))
    watched = sss.monitor(stream, TRAP_SCHEMA, on_report=lambda i, r: reports.append(r))
    try:
        query = (
            watched.frame.writeStream.format("noop")
            .option("checkpointLocation", str(tmp_path / "chk1"))
            .trigger(availableNow=True)
            .start()
        )
        query.awaitTermination()
        deadline = time.monotonic() + 60  # listener events arrive after the query ends
        while not reports and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        watched.close()
    assert reports, "no report arrived"
    assert {(v.code, v.column_path, v.count) for r in reports for v in r.violations} == (
        TRAP_FINDINGS
    )
    _clean(*(r.to_json() for r in reports))

    out = tmp_path / "out"
    with pytest.raises(ss.InvalidArgumentError, match="expands"):
        sss.quarantine_stream(
            spark.readStream.schema(struct).json(str(source)),
            TRAP_SCHEMA,
            str(out),
            str(tmp_path / "chk2"),
            trigger={"availableNow": True},
        )
    assert not out.exists()
    query = sss.quarantine_stream(
        spark.readStream.schema(struct).json(str(source)),
        TRAP_SCHEMA,
        str(out),
        str(tmp_path / "chk2"),
        format="json",
        key_columns=("id",),
        trigger={"availableNow": True},
    )
    query.awaitTermination()
    layout = T.StructType([*struct, T.StructField(sss.REASONS_COLUMN, sss.REASONS_TYPE)])
    rejected = spark.read.schema(layout).json(str(out / "rejected"))
    assert sorted(r["id"] for r in rejected.collect()) == [0, 1, 2]
    assert {tuple(sorted(labels(r[sss.REASONS_COLUMN]))) for r in rejected.collect()} == {
        (f"null_in_required:o.{TZ_TRAP}", f"null_in_required:{TZ_TRAP}")
    }
    valid = out / "valid"
    assert not valid.exists() or spark.read.text(str(valid)).count() == 0


def test_reasons_are_built_only_for_failing_rows(spark):
    # the reasons column is null on passing rows and lists every failed check on failing ones
    df = spark.createDataFrame(
        [(1, 2.0), (None, 3.0), (None, None)], "a bigint, `b;--` double"
    ).withColumn("id", F.monotonically_increasing_id())
    schema = ss.Schema([ss.ColSpec("long", "a"), ss.ColSpec("double", "b;--")])
    _, rejected = sss.conform(df, schema, on_error="quarantine")
    reasons = sorted(tuple(sorted(labels(r[sss.REASONS_COLUMN]))) for r in rejected.collect())
    assert reasons == [
        ("null_in_required:a",),
        ("null_in_required:a", "null_in_required:b;--"),
    ]


# -- sizes: linear text, no blow-up in Spark's planner ----------------------------------------


def _chain(depth: int) -> tuple[T.StructType, ss.Object]:
    """A struct nested ``depth`` deep, with a required long beside each level."""
    t, spec = (
        T.StructType([T.StructField("leaf", T.LongType())]),
        ss.Object([ss.Property("leaf", ss.DataType.long)]),
    )
    for i in range(depth):
        t = T.StructType([T.StructField(f"f{i}", t), T.StructField(f"g{i}", T.LongType())])
        spec = ss.Object([ss.Property(f"f{i}", spec), ss.Property(f"g{i}", ss.DataType.long)])
    return t, spec


def _check_text(spark, depth: int) -> int:
    t, spec = _chain(depth)
    df = spark.createDataFrame([], T.StructType([T.StructField("c", t)]))
    binding = bind(df, ss.Schema([ss.ColSpec(spec, "c")]), strict_nulls=True)
    return sum(len(c.sql) for c in compile_checks(binding, df.columns, strict_nulls=True))


def test_check_text_grows_linearly_per_level(spark):
    # 2 checks per level; each check's text grows with its depth at most linearly, so the
    # total at most quadruples when the depth doubles (it was quadratic per check before)
    small, large = _check_text(spark, 15), _check_text(spark, 30)
    assert large <= 4.5 * small


def test_a_struct_nested_thirty_deep_is_checked(spark):
    # 26 deep took 39 s and 30 deep ran the driver out of heap before (planner blow-up)
    t, spec = _chain(30)
    row_nulls = {"leaf": 1}
    for i in range(30):
        row_nulls = {f"f{i}": row_nulls, f"g{i}": None if i == 7 else i}
    df = spark.createDataFrame([(row_nulls,), (None,)], T.StructType([T.StructField("c", t)]))
    report = sss.validate(df, ss.Schema([ss.ColSpec(spec, "c")]), strict_nulls=True)
    path = "c" + "".join(f".f{i}" for i in range(29, 7, -1)) + ".g7"
    assert [(v.code, v.column_path, v.count) for v in report.violations] == [
        ("null_in_required", "c", 1),
        ("null_in_required", path, 1),
    ]
    assert report.rows_checked == 2


def test_two_thousand_columns_are_checked_in_one_pass(spark):
    n = 2000
    # one null per column, in row i % 3 (built as text: 2,000 Column objects cost py4j calls)
    df = spark.range(3).selectExpr(*[f"IF(id != {i % 3}, id, NULL) AS c{i}" for i in range(n)])
    report = sss.validate(df, ss.Schema([ss.ColSpec("long", f"c{i}") for i in range(n)]))
    assert report.checks == n
    assert len(report.violations) == n
    assert {v.count for v in report.violations} == {1}


def test_structs_holding_a_variant_are_read_by_position(spark):
    # Spark will not cast a variant, not even to itself under positional field names
    df = spark.sql(
        "SELECT 0 AS id, array(named_struct('b', true, 'v', parse_json('1'), 'x', CAST(NULL AS"
        " BOOLEAN))) AS arr UNION ALL SELECT 1, array(named_struct('b', false, 'v',"
        " parse_json('2'), 'x', true))"
    )
    item = ss.Object(
        [
            ss.Property("b", ss.DataType.boolean),
            ss.Property("v", ss.AnyType()),
            ss.Property("x", ss.DataType.boolean),
        ]
    )
    schema = ss.Schema([ss.ColSpec(ss.Array(item), "arr")])
    for engine in ("native", "arrow"):
        report = sss.validate(df, schema, engine=engine)
        assert [(v.code, v.column_path, v.count) for v in report.violations] == [
            ("null_in_required", "arr[].x", 1)
        ]


def test_case_twins_beside_a_variant_are_refused_natively_and_read_by_arrow(spark):
    df = spark.sql("SELECT named_struct('a', CAST(NULL AS BOOLEAN), 'A', parse_json('1')) AS s")
    schema = ss.Schema(
        [
            ss.ColSpec(
                ss.Object([ss.Property("a", ss.DataType.boolean), ss.Property("A", ss.AnyType())]),
                "s",
            )
        ]
    )
    with pytest.raises(ss.UnsupportedTypeError, match="engine='arrow'"):
        sss.validate(df, schema, engine="native")
    report = sss.validate(df, schema, engine="arrow")
    assert [(v.code, v.column_path, v.count) for v in report.violations] == [
        ("null_in_required", "s.a", 1)
    ]
