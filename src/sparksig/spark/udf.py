"""``spark_udf``: batch scoring that enforces the signature on every executor.

A drop-in for ``mlflow.pyfunc.spark_udf``. The driver compiles the input schema into a
picklable plan and validates params once; each executor receives the plan and the model,
and for every Arrow batch (Spark's ``maxRecordsPerBatch``, 10,000 rows by default):

1. turns the batch into a pandas DataFrame itself, so that a nullable ``long`` column stays
   a long in every batch (a batch holding a null arrives as pandas ``Int64``, not float64 as
   in MLflow, where the batch with the null fails mid-job);
2. enforces the input schema with the engine (the same rules as ``enforce_schema``);
3. calls the model and checks its output against the output schema, when there is one;
4. converts the predictions to the UDF's Arrow result type.

Inputs are bound by name: ``udf()`` with no arguments takes the signature's columns by name,
``udf(struct_col)`` takes names from the struct's fields, and ``udf(c1, c2, ...)`` binds the
arguments to the signature's inputs by position (MLflow's three conventions). Internally the
arguments always travel as one struct column, so every convention goes through one code path.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from pyspark.sql import Column
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.enforce.api import enforce_params
from sparksig.enforce.plan import Plan, compile_plan
from sparksig.errors import (
    SchemaDefinitionError,
    SchemaEnforcementError,
    SparksigError,
    ValidationReport,
)
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.signature import ModelSignature
from sparksig.spark.convert import column_name, to_spark_type
from sparksig.spark.vectors import densify, is_vector_struct
from sparksig.types import AnyType, DataType

__all__ = ["InputEnforcer", "ScoringUDF", "result_type_for", "spark_udf"]

_STRUCT_ARG = "__sparksig_input__"


def spark_udf(
    spark: Any,
    model: Any,
    signature: ModelSignature | None = None,
    result_type: T.DataType | str | None = None,
    params: dict[str, Any] | None = None,
    check: str = "full",
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
            seeded sample of each batch (conversions always apply to every row).

    Examples:
        >>> udf = spark_udf(spark, lambda df: df["x"] * 2, signature)  # doctest: +SKIP
        >>> df.withColumn("prediction", udf("x"))  # doctest: +SKIP
    """
    if check not in ("full", "sampled"):
        raise SchemaDefinitionError(f"check must be 'full' or 'sampled', got {check!r}")
    predictor, signature = _resolve_model(model, signature)
    inputs = signature.inputs if signature else None
    outputs = signature.outputs if signature else None
    checked_params = enforce_params(params, signature.params if signature else None)
    rtype = _parse_result_type(result_type) if result_type is not None else None
    rtype = rtype or result_type_for(outputs)
    timezone = spark.conf.get("spark.sql.session.timeZone") or "UTC"
    return ScoringUDF(
        predictor=predictor,
        enforcer=InputEnforcer.compile(inputs, timezone, sampled=check == "sampled"),
        output_plan=compile_plan(outputs)
        if outputs is not None and not outputs.is_tensor_spec()
        else None,
        params=checked_params,
        result_type=rtype,
        input_names=[column_name(s, i) for i, s in enumerate(inputs.inputs)] if inputs else None,
    )


def _resolve_model(
    model: Any, signature: ModelSignature | None
) -> tuple[Any, ModelSignature | None]:
    if isinstance(model, (str, os.PathLike)):
        # Model directories are resolved by the layer above (imported lazily on purpose).
        from sparksig.models import load_model

        loaded = load_model(model)
        return loaded.predictor, signature or loaded.metadata.signature
    from sparksig.models.pyfunc import as_predict

    return as_predict(model), signature


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
    """The callable ``spark_udf`` returns: call it with columns to get a prediction column."""

    def __init__(
        self,
        predictor: Any,
        enforcer: InputEnforcer,
        output_plan: Any,
        params: dict[str, Any] | None,
        result_type: T.DataType,
        input_names: list[str] | None,
    ) -> None:
        self.result_type = result_type
        self.input_names = input_names
        self._udf = _build_arrow_udf(predictor, enforcer, output_plan, params, result_type)

    def __call__(self, *cols: Column | str) -> Column:
        names = self.input_names
        if not cols:
            if not names:
                raise SchemaDefinitionError(
                    "call the UDF with columns: the model has no input schema to take names from"
                )
            return self._udf(F.struct(*[F.col(f"`{n}`") for n in names]))
        if len(cols) == 1 and (names is None or len(names) > 1):
            # One argument against several inputs: a struct whose fields carry the names.
            return self._udf(F.struct(_as_column(cols[0]).alias(_STRUCT_ARG)))
        if names is not None and len(cols) != len(names):
            raise SchemaDefinitionError(
                f"the signature has {len(names)} inputs ({', '.join(names)}) but the UDF was "
                f"called with {len(cols)} columns; pass them in signature order, one struct "
                "column, or none to select them by name"
            )
        names = names or [f"_{i}" for i in range(len(cols))]
        return self._udf(F.struct(*[_as_column(c).alias(n) for c, n in zip(cols, names)]))


def _as_column(c: Column | str) -> Column:
    return F.col(c) if isinstance(c, str) else c


def _build_arrow_udf(
    predictor: Any,
    enforcer: InputEnforcer,
    output_plan: Any,
    params: dict[str, Any] | None,
    result_type: T.DataType,
) -> Any:
    from pyspark.sql.functions import ArrowUDFType, arrow_udf
    from pyspark.sql.pandas.types import to_arrow_type

    arrow_result = to_arrow_type(result_type, timezone="UTC")

    def score(batches: Iterator[pa.Array]) -> Iterator[pa.Array]:
        for number, struct in enumerate(batches):
            data, n = enforcer(struct, number)
            output = predictor(data, params)
            if output_plan is not None:
                output_plan.enforce(_output_frame(output, output_plan.schema))
            yield _to_arrow(output, arrow_result, n)

    with warnings.catch_warnings():
        # pyspark prefers type hints to an explicit UDF type; the explicit type is clearer here.
        warnings.simplefilter("ignore", UserWarning)
        # pyspark's stubs list only atomic and array result types for iterator UDFs; structs
        # work at run time (tested).
        return arrow_udf(score, result_type, ArrowUDFType.SCALAR_ITER)  # type: ignore[call-overload]


_SAMPLE_FRACTION = 0.1
_SAMPLE_MIN_ROWS = 100


@dataclass(frozen=True)
class InputEnforcer:
    """Turns one Arrow batch into the model's enforced pandas input (runs on executors).

    Scalar columns are converted on pandas by the engine's scalar rules (cheap: dtype checks,
    at most an ``astype``); nested columns (arrays, objects, maps, vectors) are checked on the
    Arrow batch itself, on offsets and child arrays, before any pandas object exists.
    ``sampled`` checks nested values on a seeded 10% (at least 100 rows) of each batch.
    """

    scalar_plan: Plan | None
    nested_plan: Plan | None
    tensor_plan: Plan | None
    names: tuple[str, ...]
    timezone: str
    sampled: bool

    @classmethod
    def compile(cls, inputs: Schema | None, timezone: str, sampled: bool) -> InputEnforcer:
        if inputs is None:
            return cls(None, None, None, (), timezone, sampled)
        names = tuple(column_name(s, i) for i, s in enumerate(inputs.inputs))
        if inputs.is_tensor_spec():
            return cls(None, None, compile_plan(inputs), names, timezone, sampled)
        named = [ColSpec(s.type, n, s.required) for s, n in zip(inputs.inputs, names)]
        scalar = [c for c in named if isinstance(c.type, (DataType, AnyType))]
        nested = [c for c in named if not isinstance(c.type, (DataType, AnyType))]
        return cls(
            compile_plan(Schema(scalar)) if scalar else None,
            compile_plan(Schema(nested)) if nested else None,
            None,
            names,
            timezone,
            sampled,
        )

    def __call__(self, struct: pa.Array, number: int) -> tuple[Any, int]:
        batch = _record_batch(struct)
        if self.nested_plan is not None:
            self._check_nested(batch, number)
        frame = _to_pandas(batch, self.timezone)
        if self.tensor_plan is not None:
            return self.tensor_plan.enforce(frame), len(frame)
        if self.scalar_plan is None:
            return (frame[list(self.names)] if self.names else frame), len(frame)
        if self.nested_plan is None:
            return self.scalar_plan.enforce(frame), len(frame)
        scalar_names = [s.name for s in self.scalar_plan.schema.inputs]
        converted = self.scalar_plan.enforce(frame[[n for n in scalar_names if n in frame]])
        columns = {
            n: converted[n] if n in converted else frame[n]
            for n in self.names
            if n in converted or n in frame
        }
        return pd.DataFrame(columns, index=frame.index), len(frame)

    def _check_nested(self, batch: pa.RecordBatch, number: int) -> None:
        assert self.nested_plan is not None
        wanted = [s.name for s in self.nested_plan.schema.inputs]
        view = batch.select([n for n in wanted if n in batch.schema.names])
        rows = None
        if self.sampled and batch.num_rows > _SAMPLE_MIN_ROWS:
            size = max(_SAMPLE_MIN_ROWS, int(batch.num_rows * _SAMPLE_FRACTION))
            rows = np.sort(
                np.random.default_rng(number).choice(batch.num_rows, size, replace=False)
            )
        check = self.nested_plan.check(view, rows=rows)
        if not check.ok:
            raise SchemaEnforcementError(
                ValidationReport(
                    mode="sampled" if rows is not None else "full",
                    rows_checked=check.rows_checked,
                    violations=check.violations,
                )
            )


def _record_batch(struct: pa.Array) -> pa.RecordBatch:
    """The UDF's struct argument as a record batch: unwrapped, vectors made dense."""
    if isinstance(struct, pa.ChunkedArray):
        struct = struct.combine_chunks()
    batch = pa.RecordBatch.from_struct_array(struct)
    if batch.schema.names == [_STRUCT_ARG]:
        inner = batch.column(0)
        if not pa.types.is_struct(inner.type):
            raise SparksigError(
                "the UDF was called with one column that is not a struct, but the signature has "
                "several inputs: pass the input columns, one struct column, or no columns"
            )
        batch = pa.RecordBatch.from_struct_array(inner)
    if any(is_vector_struct(t) for t in batch.schema.types):
        batch = pa.RecordBatch.from_arrays(
            [densify(c) if is_vector_struct(c.type) else c for c in batch.columns],
            names=batch.schema.names,
        )
    return batch


def _to_pandas(batch: pa.RecordBatch, timezone: str) -> pd.DataFrame:
    """A batch as pandas, the way pyspark's pandas UDFs see it, but with ints kept as ints.

    Maps become dicts and timestamps naive wall-clock times in the session time zone, as in
    pyspark; unlike pyspark, integer columns holding nulls become pandas nullable integers
    (``Int64``) instead of float64, so a ``long`` column is a long in every batch.
    """
    nullable_ints = {
        col.type: pd.api.types.pandas_dtype(f"I{col.type.to_pandas_dtype().__name__[1:]}")
        for col in batch.columns
        if pa.types.is_integer(col.type) and col.null_count
    }
    frame = batch.to_pandas(
        types_mapper=nullable_ints.get if nullable_ints else None, maps_as_pydicts="strict"
    )
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.DatetimeTZDtype):
            frame[name] = frame[name].dt.tz_convert(timezone).dt.tz_localize(None)
    return frame


def _output_frame(output: Any, schema: Schema) -> pd.DataFrame:
    if isinstance(output, pd.DataFrame):
        return output
    names = schema.input_names()
    values = output.to_numpy() if isinstance(output, pd.Series) else output
    if len(names) == 1:
        return pd.DataFrame({names[0]: list(values) if _is_nested(values) else values})
    return pd.DataFrame(values, columns=names)


def _is_nested(values: Any) -> bool:
    return isinstance(values, np.ndarray) and values.ndim > 1


def _to_arrow(output: Any, arrow_type: pa.DataType, n: int) -> pa.Array:
    """Predictions as one Arrow array of the UDF's result type, one value per input row."""
    try:
        if pa.types.is_struct(arrow_type):
            frame = output if isinstance(output, pd.DataFrame) else pd.DataFrame(output)
            arrays = [
                pa.array(_column_values(frame[f.name]), type=f.type, from_pandas=True)
                for f in arrow_type
            ]
            result = pa.StructArray.from_arrays(arrays, fields=list(arrow_type))
        else:
            if isinstance(output, pd.DataFrame):
                output = output.iloc[:, 0]
            result = pa.array(_column_values(output), type=arrow_type, from_pandas=True)
    except (pa.ArrowException, KeyError, TypeError, ValueError) as e:
        raise SparksigError(
            f"The model's predictions cannot be returned as {arrow_type}: {e}. Pass a "
            "result_type matching the model's output, or give the signature an output schema."
        ) from None
    if len(result) != n:
        raise SparksigError(
            f"The model returned {len(result)} predictions for {n} input rows; a scoring model "
            "must return exactly one prediction per row"
        )
    return result


def _column_values(values: Any) -> Any:
    if isinstance(values, pd.Series):
        values = values.to_numpy()
    if isinstance(values, np.ndarray) and values.ndim > 1:
        return list(values)
    return values
