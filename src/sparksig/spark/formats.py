"""Which Spark writer formats can hold which columns, decided before anything is written.

``parquet``, ``json`` (and ``avro``, with the ``spark-avro`` package) hold every column;
``orc`` all but variants and void columns; ``csv`` flat columns only; ``text`` one string
column. Spark's Parquet and ORC writers also expand ``${...}`` in column names (through a
Hadoop ``Configuration``), so a name holding one is refused for them.
"""

from __future__ import annotations

import re

from pyspark.sql import DataFrame
from pyspark.sql import types as T

from sparksig.errors import EnvironmentSetupError, InputChangedError, InvalidArgumentError

__all__ = ["check_format_holds", "check_source", "explained", "unheld"]

_NESTED = frozenset({"parquet", "orc", "json", "avro"})  # structs, arrays, maps
_VARIANT = frozenset({"parquet", "json"})
_VOID = frozenset({"parquet", "json", "avro"})  # all-null columns of no type
_KNOWN = _NESTED | {"csv", "text"}
_NEVER = ("CalendarIntervalType", "TimeType")  # no file source in Spark writes these
_INSTEAD = "use parquet, orc or json, or drop the column or serialise it first (F.to_json)"


def unheld(fmt: str, schema: T.StructType) -> str | None:
    """What in ``schema`` format ``fmt`` cannot hold (a column path and its type), or None.

    Formats sparksig does not know are not judged here; Spark's own error is explained
    when the write fails (nothing is in place by then).
    """
    if fmt not in _KNOWN:
        return None
    if fmt == "text":
        fields = schema.fields
        if len(fields) == 1 and isinstance(fields[0].dataType, T.StringType):
            return None
        names = ", ".join(f.name for f in fields)
        return f"{len(fields)} columns ({names}), and text holds one string column"
    for f in schema.fields:
        found = _first_unheld(fmt, f.dataType, f.name)
        if found is not None:
            return f"column {found[0]!r} ({found[1].simpleString()})"
    return None


def _first_unheld(fmt: str, t: T.DataType, path: str) -> tuple[str, T.DataType] | None:
    if isinstance(t, T.UserDefinedType):  # stored as its SQL type (a vector: a struct)
        inner = _first_unheld(fmt, t.sqlType(), path)
        return (path, t) if inner is not None and inner[0] == path else inner
    if type(t).__name__ in _NEVER:
        return path, t
    if isinstance(t, T.VariantType):
        return None if fmt in _VARIANT else (path, t)
    if isinstance(t, T.NullType):
        return None if fmt in _VOID else (path, t)
    if not isinstance(t, (T.StructType, T.ArrayType, T.MapType)):
        return None
    if fmt not in _NESTED:
        return path, t
    if isinstance(t, T.StructType):
        children = [(f.dataType, f"{path}.{f.name}") for f in t.fields]
    elif isinstance(t, T.ArrayType):
        children = [(t.elementType, f"{path}[]")]
    else:
        if fmt == "avro" and not isinstance(t.keyType, T.StringType):
            return path, t  # Avro maps have string keys
        children = [(t.keyType, f"{path}{{key}}"), (t.valueType, f"{path}{{}}")]
    for child, child_path in children:
        found = _first_unheld(fmt, child, child_path)
        if found is not None:
            return found
    return None


# Spark hands the Parquet and ORC writers their schema through a Hadoop Configuration, whose
# get() expands ${...} (other settings, Spark SQL settings included, and ${env.NAME}).
# Measured: Parquet writes a column "${spark.app.name}" under the application's name, and ORC
# reads back, under "v${spark.sql.session.timeZone}", the values of a column "vUTC".
_HADOOP_VARIABLE = re.compile(r"\$\{[^}$\x20]+\}")
_EXPANDS_NAMES = frozenset({"parquet", "orc"})


def _expanded_name(t: T.DataType, path: str = "") -> str | None:
    """The first column or field path whose name a Hadoop Configuration would expand."""
    if isinstance(t, T.StructType):
        for f in t.fields:
            here = f"{path}.{f.name}" if path else f.name
            if _HADOOP_VARIABLE.search(f.name):
                return here
            found = _expanded_name(f.dataType, here)
            if found is not None:
                return found
    elif isinstance(t, T.ArrayType):
        return _expanded_name(t.elementType, f"{path}[]")
    elif isinstance(t, T.MapType):
        return _expanded_name(t.valueType, f"{path}{{}}")
    return None


def check_format_holds(fmt: str, schema: T.StructType, half: str) -> None:
    """Refuse, before anything is written, a half that format ``fmt`` cannot hold faithfully:
    a type it cannot store, or (Parquet, ORC) a name its writer would expand."""
    expanded = _expanded_name(schema) if fmt in _EXPANDS_NAMES else None
    if expanded is not None:
        raise InvalidArgumentError(
            f"column {expanded!r} of the {half} half cannot be written as {fmt}: Spark's "
            f"{fmt} writer expands ${{...}} in names (through a Hadoop Configuration), so the "
            "files would hold another name or another column's values, possibly a setting's "
            "or an environment variable's value. Rename the column, or write json. Nothing "
            "was written"
        )
    found = unheld(fmt, schema)
    if found is None:
        return
    if fmt == "text":
        raise InvalidArgumentError(
            f"the {half} half cannot be written as text: it has {found}. Use json (one JSON "
            "object per line), parquet or orc"
        )
    raise InvalidArgumentError(
        f"{found} of the {half} half cannot be written as {fmt}: {_INSTEAD}. Nothing was written"
    )


def check_source(df: DataFrame, fmt: str) -> None:
    """Refuse a format this session has no data source for, before any work (classic only;
    on Spark Connect the write's own error is explained instead)."""
    spark = df.sparkSession
    jvm = getattr(spark, "_jvm", None)
    if jvm is None:
        return
    try:
        conf = spark._jsparkSession.sessionState().conf()
        jvm.org.apache.spark.sql.execution.datasources.DataSource.lookupDataSource(fmt, conf)
    except Exception as e:
        raise _missing_source(fmt, str(e), spark.version) from None


def _missing_source(fmt: str, spark_says: str, version: str) -> Exception:
    if fmt.lower() == "avro":
        return EnvironmentSetupError(
            "format='avro' needs Spark's spark-avro package, which this session has not "
            "loaded: start Spark with spark.jars.packages="
            f"org.apache.spark:spark-avro_2.13:{version}, or write parquet, orc or json"
        )
    reason = next((line.strip() for line in spark_says.splitlines() if "[" in line), "")
    return InvalidArgumentError(
        f"no Spark data source is called {fmt!r} ({reason[:200]}): check the name (parquet, "
        "orc, json, csv, avro...) or add the package that provides it"
    )


def explained(e: BaseException, fmt: str, version: str) -> Exception | None:
    """Spark's error for a missing data source, a type it cannot write or an input file
    that vanished mid-write, said plainly."""
    text = str(e)
    if "DATA_SOURCE_NOT_FOUND" in text or "AVRO_DATA_SOURCE_NOT_ENABLED" in text:
        return _missing_source(fmt, text, version)
    if "UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE" in text:
        first = text.strip().splitlines()[0][:300]
        return InvalidArgumentError(
            f"{fmt} cannot hold a column of this table ({first}): {_INSTEAD}. Nothing was "
            "put in place"
        )
    if "FAILED_READ_FILE.FILE_NOT_EXIST" in text or "FileNotFoundException" in text:
        where = re.search(r"reading file (\S+?)\.? File does not exist", text)
        what = f" ({where.group(1)})" if where else ""
        return InputChangedError(
            f"an input file vanished while the pair was being written{what}: the input "
            "changed under the job, so no pair was put in place and any previous one is "
            "untouched. Re-run once the input is stable, or write from a snapshot of it"
        )
    return None
