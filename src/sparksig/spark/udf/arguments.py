"""How the scoring UDF's arguments become the model's named input columns (runs on executors).

``spark_udf`` accepts MLflow's three calling conventions; each call compiles a :class:`ArgumentBinding`
that the executors apply to every Arrow batch, returning a record batch whose columns are the
signature's inputs, by name, in signature order:

* ``udf()`` (:attr:`Convention.BY_NAME`): the UDF receives a struct of *every* column of the
  table (``struct(*)``) and finds each input in it by name, the way Spark resolves a column:
  case-insensitively unless ``spark.sql.caseSensitive`` is set. A missing optional input
  becomes a column of nulls of its declared type (as ``conform`` does); a missing required
  input or two columns matching one input (``x, X``) is a sparksig error naming the columns.
  Column names need no quoting on this path, so any name works (``c.d``, ``a`b``, ``prix €``).
  Why ``struct(*)``: a Spark column that names a missing column fails analysis, so only a
  star can reach "this column if the table has it". Cost: columns the model does not use
  travel to Python too, and Spark refuses a struct with two fields of exactly the same name
  (a join's two ``id`` columns); on such tables use ``udf.on(df)``, which does the same
  lookup (:func:`locate`) on the driver against ``df.columns`` and passes only the inputs.
* ``udf(c1, c2, ...)`` (:attr:`Convention.POSITIONAL`): argument *i* is input *i*.
* ``udf(x)`` with one argument (:attr:`Convention.SINGLE`): a struct whose fields carry the
  inputs by name (``udf(struct(*cols))``), or, for a one-input signature, possibly the
  input's own value. See :meth:`ArgumentBinding.bind` for how that is decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import pyarrow as pa

from sparksig.enforce.findings import spec_name
from sparksig.enforce.plan import Plan, compile_plan
from sparksig.errors import InvalidArgumentError, SchemaEnforcementError
from sparksig.results import Code, Violation
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.spark.udf.variants import is_variant
from sparksig.spark.udf.vectors import is_vector_struct
from sparksig.types import AnyType, Map, Object

__all__ = ["ArgumentBinding", "Convention", "Slot", "locate", "slots_for"]


class Convention(str, Enum):
    """Which of MLflow's calling conventions a UDF call used."""

    BY_NAME = "by_name"
    POSITIONAL = "positional"
    SINGLE = "single"


@dataclass(frozen=True, slots=True)
class Slot:
    """One declared input: its name, whether it is required, and its Arrow type (for nulls)."""

    name: str
    required: bool
    arrow_type: pa.DataType
    spec: ColSpec | TensorSpec

    @property
    def holds_struct(self) -> bool:
        """Whether the input's own value can arrive as a struct (an object, a map, any)."""
        return isinstance(self.spec, ColSpec) and isinstance(self.spec.type, (Object, Map, AnyType))

    def plan(self) -> Plan:
        spec = self.spec
        if isinstance(spec, ColSpec):
            spec = ColSpec(spec.type, self.name, spec.required)
        return compile_plan(Schema([spec]))


@dataclass(frozen=True, slots=True)
class ArgumentBinding:
    """Turns the UDF's Arrow arguments into one named record batch (picklable).

    Attributes:
        convention: how the UDF was called.
        slots: the signature's inputs, or ``None`` when the model has no input schema (then a
            struct argument keeps its own field names and other arguments are ``_0, _1, ...``).
        case_sensitive: Spark's ``spark.sql.caseSensitive`` when the UDF was built.
    """

    convention: Convention
    slots: tuple[Slot, ...] | None
    case_sensitive: bool = False

    def bind(self, args: pa.Array | Sequence[pa.Array]) -> pa.RecordBatch:
        """The batch's inputs as a record batch named by the signature.

        With one argument and a one-input signature (input ``a``), the argument is *the row*
        when it is a struct with a field matching ``a`` (MLflow's canonical
        ``udf(struct("a"))``), and the value of ``a`` otherwise. When ``a`` is an object, a
        map or ``any``, a struct can also be ``a``'s value; then the struct is the row if its
        field ``a`` fits the declared type, else the value if the struct itself fits, else
        the row (and the check reports what does not fit). The one ambiguous case, an object
        input ``a`` whose property is also ``a`` with both readings fitting (``a``'s property
        is ``any``), is read as the row, as MLflow reads every struct argument.
        """
        given = list(args) if isinstance(args, (list, tuple)) else [args]
        arrays: list[pa.Array] = [
            a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in given
        ]
        slots = self.slots
        if self.convention is Convention.POSITIONAL:
            names = [s.name for s in slots] if slots else [f"_{i}" for i in range(len(arrays))]
            return pa.RecordBatch.from_arrays(arrays, names=names)
        (arg,) = arrays
        if self.convention is Convention.BY_NAME:
            assert slots is not None  # the driver refuses udf() without input names
            return self._select(arg, slots)
        if slots is None:
            if _is_row_struct(arg.type):
                return pa.RecordBatch.from_arrays(arg.flatten(), names=_field_names(arg.type))
            return pa.RecordBatch.from_arrays([arg], names=["_0"])
        if len(slots) > 1:
            if not _is_row_struct(arg.type):
                raise InvalidArgumentError(
                    f"the UDF was called with one column of type {arg.type}, but the signature "
                    f"has {len(slots)} inputs ({', '.join(s.name for s in slots)}): pass the "
                    "input columns, one struct of them, or no columns to select them by name"
                )
            return self._select(arg, slots)
        return self._single(arg, slots[0])

    def _single(self, arg: pa.Array, slot: Slot) -> pa.RecordBatch:
        value = pa.RecordBatch.from_arrays([arg], names=[slot.name])
        if not _is_row_struct(arg.type):
            return value
        if not self._matches(_field_names(arg.type), slot.name) and slot.holds_struct:
            return value
        row = self._select(arg, (slot,))
        if not slot.holds_struct:
            return row
        plan = slot.plan()
        if _fits(plan, row) or not _fits(plan, value):
            return row
        return value

    def _matches(self, names: Sequence[str], name: str) -> list[int]:
        return _matches(names, name, self.case_sensitive)

    def _select(self, struct: pa.Array, slots: Sequence[Slot]) -> pa.RecordBatch:
        """The slots' columns out of a struct of columns, found by name as Spark would."""
        where = locate(_field_names(struct.type), slots, self.case_sensitive)
        fields = struct.flatten()  # honours the slice offset and the struct's own nulls
        columns = [
            pa.nulls(len(struct), type=slot.arrow_type) if i is None else fields[i]
            for slot, i in zip(slots, where)
        ]
        return pa.RecordBatch.from_arrays(columns, names=[s.name for s in slots])


def locate(names: Sequence[str], slots: Sequence[Slot], case_sensitive: bool) -> list[int | None]:
    """Where each input is among a table's column ``names`` (None: a missing optional input).

    Names are matched as Spark resolves columns: exactly when ``case_sensitive``, else
    ignoring case. Raises a sparksig error naming the columns when an input matches several
    columns, and one naming every missing required input.

    Examples:
        >>> slot = Slot("x", True, pa.int64(), ColSpec("long", "x"))
        >>> locate(["id", "X"], [slot], case_sensitive=False)
        [1]
    """
    found: list[int | None] = []
    missing, ambiguous = [], []
    for slot in slots:
        hits = _matches(names, slot.name, case_sensitive)
        if len(hits) > 1:
            ambiguous.append((slot.name, [names[i] for i in hits]))
        elif not hits and slot.required:
            missing.append(slot)
        found.append(hits[0] if hits else None)
    if ambiguous:
        raise InvalidArgumentError(_ambiguous_message(ambiguous, case_sensitive))
    if missing:
        raise SchemaEnforcementError.of(*[_missing(s, names) for s in missing])
    return found


def _matches(names: Sequence[str], name: str, case_sensitive: bool) -> list[int]:
    if case_sensitive:
        return [i for i, n in enumerate(names) if n == name]
    folded = name.casefold()
    return [i for i, n in enumerate(names) if n.casefold() == folded]


def _field_names(t: pa.DataType) -> list[str]:
    return [t.field(i).name for i in range(t.num_fields)]


def _is_row_struct(t: pa.DataType) -> bool:
    """A struct that can carry columns (Spark ML vectors and variants are values, not rows)."""
    return pa.types.is_struct(t) and not is_vector_struct(t) and not is_variant(t)


def _fits(plan: Plan, batch: pa.RecordBatch) -> bool:
    """Whether the batch's types satisfy the plan (a schema-level check: no rows are read)."""
    return plan.check(batch.slice(0, 0)).ok


def _missing(slot: Slot, present: Sequence[str]) -> Violation:
    spec = slot.spec
    kind = spec_name(spec if isinstance(spec, TensorSpec) else spec.type)
    shown = ", ".join(repr(n) for n in present[:10]) + (", ..." if len(present) > 10 else "")
    return Violation(
        Code.MISSING_COLUMN,
        slot.name,
        message=(
            f"required input {slot.name!r} ({kind}) is not a column of the table (columns: "
            f"{shown or 'none'}): add it, rename the column that holds it, or declare the input "
            "optional (required=False) in the signature"
        ),
    )


def _ambiguous_message(ambiguous: list[tuple[str, list[str]]], case_sensitive: bool) -> str:
    found = "; ".join(
        f"input {name!r} matches columns {', '.join(repr(c) for c in cols)}"
        for name, cols in ambiguous
    )
    how = (
        "Spark compares column names exactly (spark.sql.caseSensitive=true)"
        if case_sensitive
        else "Spark compares column names ignoring case (spark.sql.caseSensitive=false)"
    )
    return (
        f"the table has several columns for one model input: {found}. {how}, so the input "
        "cannot be chosen; rename or drop all but one of them (e.g. df.toDF(*new_names))"
    )


def slots_for(inputs: Schema, timezone: str) -> tuple[Slot, ...]:
    """The slots of an input schema (driver side; Arrow types as Spark sends them)."""
    from pyspark.sql.pandas.types import to_arrow_type

    from sparksig.spark.convert import column_name, to_spark_type

    out = []
    for i, spec in enumerate(inputs.inputs):
        name = column_name(spec, i)
        dtype = spec if isinstance(spec, TensorSpec) else spec.type
        arrow = to_arrow_type(to_spark_type(dtype, name), timezone=timezone)
        out.append(Slot(name, bool(spec.required), arrow, spec))
    return tuple(out)
