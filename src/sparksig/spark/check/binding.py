"""How a Spark table meets a signature: which column each spec reads, decided from the schema.

:func:`bind` pairs every spec with the table's column (by name, or by position for unnamed
schemas), refuses ambiguous tables (two columns that Spark would resolve to the same name),
and finds every *schema-level* problem — missing columns, incompatible types, missing or
undeclared struct fields — by running the Arrow engine on an empty batch of the table's
Arrow schema. That costs no Spark job and needs no py4j, so it also runs on Spark Connect.

Column names are quoted by :func:`quote` (backticks doubled), so dots, spaces, backticks and
any other character in a name are taken literally.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.enforce.plan import compile_plan
from sparksig.errors import ArgumentTypeError, InvalidArgumentError, SchemaDefinitionError
from sparksig.results import Code, Violation
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.signature import ModelSignature
from sparksig.spark.convert import column_name, is_vector_udt
from sparksig.types import AnyType

__all__ = [
    "TableBinding",
    "Bound",
    "bind",
    "check_keys",
    "col",
    "input_schema",
    "quote",
    "top_level",
]


def quote(name: str) -> str:
    """A column name as a literal Spark identifier: ``a`b`` -> ```a``b```.

    Examples:
        >>> quote("a`b"), quote("c.d")
        ('`a``b`', '`c.d`')
    """
    return "`" + name.replace("`", "``") + "`"


def col(name: str) -> Column:
    """The column called exactly ``name`` (dots, spaces and backticks included)."""
    return F.col(quote(name))


def input_schema(schema_or_signature: Any) -> Schema:
    """A Schema itself, or a signature's inputs; anything else is an ``ArgumentTypeError``."""
    if isinstance(schema_or_signature, ModelSignature):
        if schema_or_signature.inputs is None:
            raise SchemaDefinitionError("the signature has no input schema to check against")
        return schema_or_signature.inputs
    if isinstance(schema_or_signature, Schema):
        return schema_or_signature
    raise ArgumentTypeError(
        f"expected a sparksig Schema or ModelSignature, got {type(schema_or_signature).__name__}"
    )


def top_level(path: str) -> str:
    """The column a violation path starts in: ``o`` for ``o.a``, ``arr`` for ``arr[].p``.

    Only for paths built from names without ``.``, ``[`` or ``{``; a :class:`TableBinding` knows
    the column of every check, so odd names never need this.
    """
    return re.split(r"[.\[{]", path, maxsplit=1)[0]


@dataclass(frozen=True)
class Bound:
    """One declared column and the table's column it reads.

    Attributes:
        target: its name in the conformed frame (the declared name; ``_0``... if unnamed).
        spec: the spec, named by the path its findings use (the declared name; for unnamed
            schemas the table's column at that position).
        field: the table's column, or ``None`` when the table lacks it.
    """

    target: str
    spec: ColSpec | TensorSpec
    field: T.StructField | None

    @property
    def name(self) -> str:
        return str(self.spec.name)

    @property
    def source(self) -> Column:
        assert self.field is not None
        return col(self.field.name)


@dataclass(frozen=True)
class TableBinding:
    """A table bound to a schema.

    Attributes:
        columns: every declared column, in schema order.
        findings: schema-level violations (``count=None``).
        checked: the columns whose rows need looking at: present, not condemned at the
            schema level, and not ``any``.
    """

    columns: tuple[Bound, ...]
    findings: tuple[Violation, ...]
    checked: tuple[Bound, ...]

    @property
    def fatal(self) -> tuple[Violation, ...]:
        """Schema-level findings. Each condemns every row: a Spark column has one type for
        all rows, and a struct carries every field in every row."""
        return self.findings


def _case_sensitive(df: DataFrame) -> bool:
    try:
        return str(df.sparkSession.conf.get("spark.sql.caseSensitive", "false")).lower() == "true"
    except Exception:  # a session that cannot answer: Spark's default
        return False


def _refuse_duplicates(df: DataFrame, wanted: Sequence[str], what: str) -> None:
    sensitive = _case_sensitive(df)
    fold = (lambda n: n) if sensitive else str.lower
    seen: dict[str, list[str]] = {}
    for name in df.columns:
        seen.setdefault(fold(name), []).append(name)
    for name in wanted:
        same = seen.get(fold(name), [])
        if len(same) > 1:
            raise InvalidArgumentError(
                f"the table has {len(same)} columns that Spark resolves as {what} {name!r} "
                f"({', '.join(same)}): rename or drop the duplicates first"
                + ("" if sensitive else " (spark.sql.caseSensitive is false)")
            )


def check_keys(df: DataFrame, keys: Sequence[str], argument: str = "key_columns") -> None:
    """Key columns exist, are distinct and unambiguous; else an ``InvalidArgumentError``."""
    keys = list(keys)
    missing = [k for k in keys if k not in df.columns]
    if missing:
        raise InvalidArgumentError(f"{argument} {missing} are not columns of the table")
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise InvalidArgumentError(f"{argument} repeats {repeated}: give each column once")
    _refuse_duplicates(df, keys, f"{argument} entry")


def bind(df: DataFrame, schema: Schema, *, strict_nulls: bool) -> TableBinding:
    """Pair ``schema`` with ``df``'s columns and find the schema-level problems (no job)."""
    fields = list(df.schema.fields)
    named = schema.has_input_names()
    targets = [column_name(s, i) for i, s in enumerate(schema.inputs)]
    columns = []
    if named:
        _refuse_duplicates(df, targets, "column")
        fold = (lambda n: n) if _case_sensitive(df) else str.lower
        by_name = {fold(f.name): f for f in fields}
        for target, spec in zip(targets, schema.inputs):
            columns.append(Bound(target, spec, by_name.get(fold(target))))
    else:
        for i, (target, spec) in enumerate(zip(targets, schema.inputs)):
            field = fields[i] if i < len(fields) else None
            columns.append(Bound(target, _renamed(spec, field.name if field else target), field))
        _refuse_duplicates(df, [b.name for b in columns if b.field is not None], "column")
    present = [b for b in columns if b.field is not None]
    findings: list[Violation] = []
    typed = []
    for b in present:
        arrow_type = _arrow_type(b.field)
        if arrow_type is None:
            assert b.field is not None
            findings.append(
                Violation(
                    Code.TYPE_MISMATCH,
                    b.name,
                    None,
                    (),
                    f"column {b.name}: Spark type {b.field.dataType.simpleString()} has no "
                    "signature counterpart; cast the column to a supported type",
                )
            )
        else:
            typed.append((b, arrow_type))
    mapped = {id(b) for b, _ in typed}  # a set: one lookup per column, not a scan
    checked_schema = Schema(
        [b.spec for b in (columns if named else present) if b.field is None or id(b) in mapped]
    )
    arrow = pa.schema([pa.field(b.name, t) for b, t in typed])
    plan = compile_plan(checked_schema, strict_nulls=strict_nulls)
    check = plan.check(pa.RecordBatch.from_pylist([], schema=arrow))
    # Shapes are a property of the rows: an empty batch has none to judge.
    findings.extend(
        Violation(v.code, v.column_path, None, (), v.message)
        for v in check.violations
        if v.code != "shape_mismatch"
    )
    if not named and len(present) < len(columns):
        findings.append(
            Violation(
                Code.COLUMN_COUNT,
                "<columns>",
                None,
                (),
                f"the signature declares {len(columns)} unnamed columns but the input has "
                f"{len(fields)}: pass the columns in the signature's order",
            )
        )
    condemned = {_finding_column(v.column_path, [b.name for b in present]) for v in findings}
    checked = tuple(
        b
        for b in present
        if b.name not in condemned
        and not (isinstance(b.spec, ColSpec) and isinstance(b.spec.type, AnyType))
    )
    return TableBinding(tuple(columns), tuple(findings), checked)


def _arrow_type(field: T.StructField | None) -> pa.DataType | None:
    from pyspark.sql.pandas.types import to_arrow_type

    assert field is not None
    if is_vector_udt(field.dataType):  # read as dense list<double>, as conform delivers them
        return pa.list_(pa.float64())
    try:
        return to_arrow_type(field.dataType, timezone="UTC")
    except Exception:  # pyspark raises several kinds for types Arrow cannot carry
        return None


def _finding_column(path: str, present: list[str]) -> str:
    """The declared column a schema-level finding's path belongs to (longest name prefix)."""
    best = ""
    for name in present:
        if path == name or (path.startswith(name) and path[len(name)] in ".[{"):
            best = max(best, name, key=len)
    return best or top_level(path)


def _renamed(spec: ColSpec | TensorSpec, name: str) -> ColSpec | TensorSpec:
    if isinstance(spec, TensorSpec):
        return TensorSpec(spec.dtype, spec.shape, name)
    return ColSpec(spec.type, name, spec.required)
