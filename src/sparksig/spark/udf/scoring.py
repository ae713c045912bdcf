"""``spark_udf``: batch scoring that enforces the signature on every executor.

A drop-in for ``mlflow.pyfunc.spark_udf``. The driver compiles the input schema into a
picklable plan and validates params once; each executor receives the plan and the model,
and for every Arrow batch (Spark's ``maxRecordsPerBatch``, 10,000 rows by default):

1. names the batch's columns after the signature's inputs (:mod:`sparksig.spark.udf.arguments`);
2. checks nested values and timestamps on Arrow, then turns the batch into pandas itself, so
   that a nullable ``long`` column stays a long in every batch (a batch holding a null
   arrives as pandas ``Int64``, not float64 as in MLflow, where the batch with the null fails
   mid-job) and ``any`` inputs arrive as Python values (:mod:`sparksig.spark.udf.enforcer`);
3. enforces the input schema with the engine (the same rules as ``enforce_schema``);
4. calls the model and checks its output against the output schema, when there is one;
5. converts the predictions to the UDF's Arrow result type.

Inputs are bound by name or position, as in MLflow: ``udf()`` with no arguments finds the
signature's inputs among the table's columns by name, ``udf(struct_col)`` takes names from the
struct's fields, and ``udf(c1, c2, ...)`` binds the arguments to the signature's inputs by
position. A string argument is a column *name*, taken literally (``"c.d"`` is the column
named ``c.d``); pass a ``Column`` for an expression or a nested field (``F.col("s.w")``).
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from typing import Any, Literal, NamedTuple

import pyarrow as pa
from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.enforce.api import enforce_params
from sparksig.enforce.plan import compile_plan
from sparksig.errors import SchemaDefinitionError
from sparksig.legacy import legacy_call
from sparksig.options import Mode, choose
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.signature import ModelSignature
from sparksig.spark.convert import column_name, to_spark_type
from sparksig.spark.udf.arguments import ArgumentBinding, Convention, Slot, locate, slots_for
from sparksig.spark.udf.enforcer import InputEnforcer
from sparksig.spark.udf.outputs import from_wire, output_frame, predictions, wire_type

__all__ = [
    "InputEnforcer",
    "ResolvedModel",
    "ScoringUDF",
    "resolve_model",
    "result_type_for",
    "spark_udf",
]


@legacy_call(keep=3, positional=("result_type", "params", "check"))
def spark_udf(
    spark: Any,
    model: Any,
    signature: ModelSignature | None = None,
    *,
    result_type: T.DataType | str | None = None,
    params: dict[str, Any] | None = None,
    check: Mode | Literal["full", "sampled"] = "full",
) -> ScoringUDF:
    """Wrap a model as a Spark UDF that enforces its signature on every executor.

    Args:
        spark: the SparkSession (its session time zone is used for timestamps).
        model: a callable ``f(df)`` / ``f(df, params)``, an object with
            ``predict(df, params=None)``, an ``mlflow.pyfunc.PythonModel``, or a path to a model
            directory written by sparksig or MLflow.
        signature: overrides the model directory's signature; required for in-memory models
            whose inputs should be enforced.
        result_type: Spark type of the predictions. Default: from the output schema (one column
            -> its type, several named columns -> a struct, a tensor -> nested arrays), else double.
        params: inference params, validated once on the driver against the signature.
        check: ``"full"`` checks nested values on every row; ``"sampled"`` checks them on a
            seeded sample of each batch (conversions, timestamp ranges and nulls in required
            nested inputs always apply to every row).

    Call the result with no columns (inputs found by name), with the input columns in
    signature order, or with one struct of them; see :class:`ScoringUDF`.

    Examples:
        >>> udf = spark_udf(spark, lambda df: df["x"] * 2, signature)  # doctest: +SKIP
        >>> df.withColumn("prediction", udf())  # doctest: +SKIP
        >>> df.withColumn("prediction", udf("x"))  # doctest: +SKIP
    """
    mode = choose(Mode, check, "check")
    predictor, signature = resolve_model(model, signature)
    inputs = signature.inputs if signature else None
    outputs = signature.outputs if signature else None
    checked_params = enforce_params(params, signature.params if signature else None)
    rtype = _parse_result_type(result_type) if result_type is not None else None
    rtype = rtype or result_type_for(outputs)
    timezone = spark.conf.get("spark.sql.session.timeZone") or "UTC"
    case_sensitive = str(spark.conf.get("spark.sql.caseSensitive", "false")).lower() == "true"
    return ScoringUDF(
        predictor=predictor,
        enforcer=InputEnforcer.compile(inputs, timezone, sampled=mode is Mode.SAMPLED),
        output_plan=compile_plan(outputs)
        if outputs is not None and not outputs.is_tensor_spec()
        else None,
        params=checked_params,
        result_type=rtype,
        slots=slots_for(inputs, timezone) if inputs else None,
        case_sensitive=case_sensitive,
    )


class ResolvedModel(NamedTuple):
    """A model ready to score: its ``predict(df, params)`` and its signature (or None)."""

    predictor: Any
    signature: ModelSignature | None


def resolve_model(model: Any, signature: ModelSignature | None = None) -> ResolvedModel:
    """What ``spark_udf`` and ``score`` score with: ``model`` as a predictor, and the
    signature to enforce (``signature`` when given, else the model directory's own).

    ``model`` is a model directory (sparksig or MLflow; loading it runs its pickled code),
    a callable, an object with ``predict`` or an ``mlflow.pyfunc.PythonModel``.
    """
    if isinstance(model, (str, os.PathLike)):
        # Model directories are resolved by the layer above (imported lazily on purpose).
        from sparksig.models import load_model

        loaded = load_model(model)
        return ResolvedModel(loaded.predictor, signature or loaded.metadata.signature)
    from sparksig.models.pyfunc import as_predict

    return ResolvedModel(as_predict(model), signature)


def _parse_result_type(result_type: T.DataType | str) -> T.DataType:
    if isinstance(result_type, T.DataType):
        return result_type
    try:
        return T._parse_datatype_string(result_type)
    except Exception as e:  # pyspark raises several kinds for bad DDL
        raise SchemaDefinitionError(
            f"result_type {result_type!r} is not a Spark type: {e}"
        ) from None


def result_type_for(outputs: Schema | None) -> T.DataType:
    """The UDF result type implied by an output schema (MLflow's rules; double when unknown)."""
    if outputs is None:
        return T.DoubleType()
    specs = outputs.inputs
    if len(specs) == 1:
        spec = specs[0]
        return to_spark_type(spec if isinstance(spec, TensorSpec) else spec.type, "output")
    if outputs.has_input_names() and not outputs.is_tensor_spec():
        return T.StructType(
            [
                T.StructField(column_name(s, i), to_spark_type(s.type, column_name(s, i)), True)
                for i, s in enumerate(specs)
                if isinstance(s, ColSpec)
            ]
        )
    raise SchemaDefinitionError(
        "cannot derive a result type from an output schema of several unnamed columns or "
        "tensors; pass result_type"
    )


class ScoringUDF:
    """The callable ``spark_udf`` returns: call it with columns to get a prediction column.

    * ``udf()``: the signature's inputs, found among the table's columns by name as Spark
      resolves names (case-insensitively unless ``spark.sql.caseSensitive``). A missing
      optional input is scored as nulls of its type (as ``conform`` fills it); a missing
      required input, or two columns matching one input (``x`` and ``X``), stops the job
      with a sparksig error naming them. The column only learns the table when Spark runs
      it, so these errors come from the executors (inside Spark's ``PythonException``).
      The UDF reads every column of the table (``struct(*)``): on a wide table, or one with
      two columns of exactly the same name (which Spark cannot send to Python), use
      ``udf.on(df)``.
    * ``udf.on(df)``: the same binding by name, done on the driver against ``df``'s columns:
      errors are raised right there, and only the input columns are sent to Python.
    * ``udf(c1, c2, ...)``: columns (names or ``Column`` s) in signature order.
    * ``udf(struct_col)``: one struct whose fields are the inputs, by name; with a one-input
      signature, a struct that is the input's value also works (an object input). See
      :meth:`sparksig.spark.udf.arguments.ArgumentBinding.bind` for how the two are told apart.

    Examples:
        >>> udf = spark_udf(spark, model, signature)  # doctest: +SKIP
        >>> df.withColumn("p", udf())  # by name  # doctest: +SKIP
        >>> df.withColumn("p", udf.on(df))  # by name, bound on the driver  # doctest: +SKIP
        >>> df.withColumn("p", udf("prix €", "c.d"))  # by position  # doctest: +SKIP
        >>> df.withColumn("p", udf(F.struct("a")))  # one-input signature: the row  # doctest: +SKIP
    """

    def __init__(
        self,
        predictor: Any,
        enforcer: InputEnforcer,
        output_plan: Any,
        params: dict[str, Any] | None,
        result_type: T.DataType,
        slots: tuple[Slot, ...] | None,
        case_sensitive: bool = False,
    ) -> None:
        self.result_type = result_type
        self.input_names = [s.name for s in slots] if slots else None
        self._slots = slots
        self._case_sensitive = case_sensitive
        self._parts = (predictor, enforcer, output_plan, params)

    def __call__(self, *cols: Column | str) -> Column:
        names = self.input_names
        if not cols:
            if not names:
                raise SchemaDefinitionError(
                    "call the UDF with columns: the model has no input schema to take names from"
                )
            return self._apply(Convention.BY_NAME, F.struct(F.col("*")))
        if names is not None and len(cols) > 1 and len(cols) != len(names):
            raise SchemaDefinitionError(
                f"the signature has {len(names)} inputs ({', '.join(names)}) but the UDF was "
                f"called with {len(cols)} columns; pass them in signature order, one struct "
                "column, or none to select them by name"
            )
        convention = Convention.SINGLE if len(cols) == 1 else Convention.POSITIONAL
        return self._apply(convention, *[_as_column(c) for c in cols])

    def on(self, df: DataFrame) -> Column:
        """The UDF applied to ``df``'s input columns, bound on the driver.

        Like ``udf()``, inputs are found by name (as Spark resolves names) and a missing
        optional input is scored as nulls; unlike ``udf()``, this knows the table, so a
        missing required input or two columns matching one input (``x, x`` after a join, or
        ``x, X``) is reported here, on the driver, and only the inputs travel to Python.

        Examples:
            >>> df.withColumn("prediction", udf.on(df))  # doctest: +SKIP
        """
        if not self._slots:
            raise SchemaDefinitionError(
                "call the UDF with columns: the model has no input schema to take names from"
            )
        where = locate(df.columns, self._slots, self._case_sensitive)
        args = [
            F.lit(None).cast(_spark_type(slot)) if i is None else _as_column(df.columns[i])
            for slot, i in zip(self._slots, where)
        ]
        return self._apply(Convention.POSITIONAL, *args)

    def _apply(self, convention: Convention, *cols: Column) -> Column:
        return from_wire(self._udf(convention)(*cols), self.result_type)

    def _udf(self, convention: Convention) -> Any:
        """The Arrow UDF for one calling convention (variant results leave it as JSON text)."""
        binding = ArgumentBinding(convention, self._slots, self._case_sensitive)
        return _build_arrow_udf(*self._parts, self.result_type, binding)


def _spark_type(slot: Slot) -> T.DataType:
    spec = slot.spec
    return to_spark_type(spec if isinstance(spec, TensorSpec) else spec.type, slot.name)


def _as_column(c: Column | str) -> Column:
    """A column name, taken literally (dots and backticks are part of it), or a Column."""
    if isinstance(c, str):
        return F.col("`" + c.replace("`", "``") + "`")
    return c


def _build_arrow_udf(
    predictor: Any,
    enforcer: InputEnforcer,
    output_plan: Any,
    params: dict[str, Any] | None,
    result_type: T.DataType,
    binding: ArgumentBinding,
) -> Any:
    from pyspark.sql.functions import ArrowUDFType, arrow_udf
    from pyspark.sql.pandas.types import to_arrow_type

    wire = wire_type(result_type)
    arrow_result = to_arrow_type(wire, timezone="UTC")

    def score(batches: Iterator[pa.Array | Sequence[pa.Array]]) -> Iterator[pa.Array]:
        for number, args in enumerate(batches):
            data, n = enforcer(binding.bind(args), number)
            if n == 0:  # nothing to predict: a model need not accept an empty frame
                yield pa.array([], type=arrow_result)
                continue
            output = predictor(data, params)
            if output_plan is not None:
                output_plan.enforce(output_frame(output, output_plan.schema))
            yield predictions(output, result_type, arrow_result, n, enforcer.timezone)

    with warnings.catch_warnings():
        # pyspark prefers type hints to an explicit UDF type; the explicit type is clearer here.
        warnings.simplefilter("ignore", UserWarning)
        # pyspark's stubs list only atomic and array result types for iterator UDFs; structs
        # work at run time (tested).
        return arrow_udf(score, wire, ArrowUDFType.SCALAR_ITER)  # type: ignore[call-overload]
