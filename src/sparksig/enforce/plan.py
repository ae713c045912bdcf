"""A compiled, picklable enforcement plan: one set of rules for pandas and Arrow batches.

``compile_plan(schema)`` runs once on the driver; the :class:`Plan` it returns is shipped to
executors and applied to every batch. :meth:`Plan.enforce` is MLflow's ``_enforce_schema``
(convert or raise with every violation); :meth:`Plan.check` never raises for bad data and
returns a :class:`BatchCheck` (violations with row counts, a per-row mask, per-row reasons).

Scalar columns are decided from their dtype alone (plus a null scan when ``strict_nulls``),
nested columns are checked on Arrow offsets and children (:mod:`sparksig.enforce.nested`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from sparksig.enforce import messages
from sparksig.enforce.findings import Findings, merge_checks, spec_name
from sparksig.enforce.inputs import input_error, to_frame
from sparksig.enforce.nested import ArrowContext, check_arrow, check_values, null_mask
from sparksig.enforce.object_columns import check_object_column
from sparksig.enforce.rules import Refusal, arrow_accepts, convert_series
from sparksig.enforce.tensors import check_tensor_arrow, enforce_tensors
from sparksig.errors import ArgumentTypeError, InvalidArgumentError, SchemaEnforcementError
from sparksig.kinds import is_spark_dataframe
from sparksig.options import MAX_EXAMPLES
from sparksig.results import Code, Violation
from sparksig.rules import null_violates
from sparksig.schema import ColSpec, Schema, TensorSpec
from sparksig.types import AnyType, DataType

__all__ = ["BatchCheck", "Plan", "compile_plan", "merge_checks"]

logger = logging.getLogger("sparksig.enforce")


@dataclass(frozen=True, eq=False)
class BatchCheck:
    """The outcome of checking one batch.

    Attributes:
        violations: one per ``(code, column_path)``; counts are rows affected among the
            checked rows, with at most ``max_examples`` examples each.
        bad_rows: bool array, one per batch row, True where the row has a violation.
        rows_checked: how many rows were checked (all, or the sampled ones).
    """

    violations: tuple[Violation, ...]
    bad_rows: np.ndarray
    rows_checked: int
    _labels: tuple[tuple[str, np.ndarray], ...] = field(default=(), repr=False)

    @property
    def ok(self) -> bool:
        return not self.violations

    def row_masks(self) -> tuple[tuple[str, np.ndarray], ...]:
        """``("code:path", bool mask over the batch's rows)`` for each violation."""
        return self._labels

    def reasons(self) -> list[list[str] | None]:
        """Per row, the ``"code:path"`` labels of its violations; None for clean rows."""
        return self.reasons_arrow().to_pylist()

    def reasons_arrow(self) -> pa.ListArray:
        """:meth:`reasons` as an Arrow ``list<string>``, built without a loop over rows.

        Labels are kept apart, never joined into one string, so any column name is safe.
        """
        n = len(self.bad_rows)
        if not self._labels:
            return pa.nulls(n, type=pa.list_(pa.string()))
        labels = np.array([label for label, _ in self._labels], dtype=object)
        hits = np.stack([mask for _, mask in self._labels], axis=1)  # rows x labels
        counts = hits.sum(axis=1)
        offsets = np.zeros(n + 1, dtype=np.int32)
        np.cumsum(counts, out=offsets[1:])
        values = pa.array(np.broadcast_to(labels, hits.shape)[hits], type=pa.string())
        return pa.ListArray.from_arrays(pa.array(offsets), values, mask=pa.array(counts == 0))


@dataclass(frozen=True)
class Plan:
    """A schema compiled for enforcement. Picklable; imports no pyspark.

    Examples:
        >>> import pandas as pd
        >>> from sparksig import ColSpec, Schema
        >>> plan = compile_plan(Schema([ColSpec("long", "id")]))
        >>> plan.enforce(pd.DataFrame({"id": [1, 2]}))["id"].dtype
        dtype('int64')
        >>> plan.check(pd.DataFrame({"id": [1.5]})).violations[0].code.value
        'type_mismatch'
    """

    schema: Schema
    strict_nulls: bool = False
    finite_only: bool = False

    # -- in-process enforcement --------------------------------------------------------------
    def enforce(self, data: Any) -> pd.DataFrame | np.ndarray | dict:
        """Convert ``data`` to the schema (MLflow's ``_enforce_schema``) or raise with all issues."""
        if is_spark_dataframe(data):
            raise input_error(
                "Spark DataFrames are enforced by sparksig.spark.conform(df, schema); "
                "Plan.enforce takes pandas, numpy or Python data"
            )
        if self.schema.is_tensor_spec():
            return enforce_tensors(data, self.schema)
        frame = to_frame(data, self.schema)
        findings = Findings(len(frame))
        columns = self._run_pandas(frame, findings, convert=True)
        if findings:
            raise SchemaEnforcementError.of(*findings.violations(), rows_checked=len(frame))
        extra = [c for c in frame.columns if c not in columns]
        if extra and self.schema.has_input_names():
            logger.warning(
                "Found extra inputs in the model input that are not defined in the model "
                "signature: %s. These inputs will be ignored.",
                extra,
            )
        # Series share frame.index, so pandas does not realign (duplicate labels are fine).
        return pd.DataFrame(columns, index=frame.index)

    # -- batch checking ------------------------------------------------------------------------
    def check(
        self, batch: Any, *, rows: np.ndarray | None = None, max_examples: int = MAX_EXAMPLES
    ) -> BatchCheck:
        """Check a pandas DataFrame or an Arrow RecordBatch/Table; collect, never raise for data.

        Args:
            batch: the rows to check.
            rows: optional int indices or bool mask of the rows to check (sampled mode).
            max_examples: examples kept per violation.
        """
        n = batch.num_rows if isinstance(batch, (pa.RecordBatch, pa.Table)) else len(batch)
        index = _row_index(rows, n)
        if index is not None:
            if isinstance(batch, (pa.RecordBatch, pa.Table)):
                batch = batch.take(pa.array(index, type=pa.int64()))
            else:
                batch = batch.iloc[index]
        m = len(index) if index is not None else n
        findings = Findings(m, max_examples)
        if self.schema.is_tensor_spec() and not isinstance(batch, (pa.RecordBatch, pa.Table)):
            self._check_tensors(batch, findings)
        elif isinstance(batch, (pa.RecordBatch, pa.Table)):
            self._run_arrow(batch, findings)
        elif isinstance(batch, pd.DataFrame):
            self._run_pandas(batch, findings, convert=False)
        else:
            raise ArgumentTypeError(
                f"Plan.check takes a pandas DataFrame or a pyarrow RecordBatch/Table, "
                f"got {type(batch).__name__}"
            )
        local_bad = findings.bad_rows()
        labels = findings.masks()
        if index is not None:
            bad = np.zeros(n, dtype=bool)
            bad[index] = local_bad
            full_labels = []
            for label, mask in labels:
                wide = np.zeros(n, dtype=bool)
                wide[index] = mask
                full_labels.append((label, wide))
            labels = full_labels
        else:
            bad = local_bad
        return BatchCheck(findings.violations(), bad, m, tuple(labels))

    # -- internals -----------------------------------------------------------------------------
    def _resolve(
        self, names: list[Any], findings: Findings
    ) -> list[tuple[ColSpec | TensorSpec, int, str]]:
        """Pair each spec with the batch column it reads: (spec, position, path)."""
        specs: list[ColSpec | TensorSpec] = list(self.schema.inputs)
        if self.schema.has_input_names():
            where: dict[Any, int] = {}
            for i, name in enumerate(names):
                where.setdefault(name, i)
            out = []
            for spec in specs:
                if spec.name in where:
                    out.append((spec, where[spec.name], str(spec.name)))
                elif spec.required:
                    findings.add(
                        Code.MISSING_COLUMN,
                        str(spec.name),
                        f"required column {spec.name!r} ({_spec_type_name(spec)}) is missing "
                        "from the input: add it, or declare it optional (required=False)",
                    )
            return out
        if len(names) < len(specs):
            findings.add(
                Code.COLUMN_COUNT,
                "<columns>",
                f"the signature declares {len(specs)} unnamed columns but the input has "
                f"{len(names)}: pass the columns in the signature's order",
            )
        return [(spec, i, str(names[i])) for i, spec in enumerate(specs[: len(names)])]

    def _run_pandas(
        self, frame: pd.DataFrame, findings: Findings, *, convert: bool
    ) -> dict[Any, Any]:
        columns: dict[Any, Any] = {}
        pairs = self._resolve(list(frame.columns), findings)
        for spec, pos, path in pairs:
            series = frame.iloc[:, pos]
            key = spec.name if spec.name is not None else frame.columns[pos]
            dtype = spec.type
            if isinstance(dtype, AnyType):
                # MLflow rebuilds the column from its values, so pandas re-infers its dtype
                columns[key] = series.infer_objects() if convert else series
            elif isinstance(dtype, DataType):
                converted = convert_series(series, dtype)
                if isinstance(converted, Refusal):
                    sample = series.dropna().head(findings.max_examples).tolist()
                    findings.add(
                        Code.TYPE_MISMATCH, path, f"column {path}: {converted}", None, sample
                    )
                    continue
                columns[key] = converted
                if self.strict_nulls and spec.required:
                    nulls = series.isna().to_numpy()
                    if nulls.any():
                        findings.add(
                            Code.NULL_IN_REQUIRED, path, messages.top_null(path), nulls, [None]
                        )
            else:
                check_object_column(series, dtype, path, spec.required, findings)
                columns[key] = series
        return columns

    def _run_arrow(self, batch: pa.RecordBatch | pa.Table, findings: Findings) -> None:
        pairs = self._resolve(list(batch.schema.names), findings)
        rows = np.arange(findings.n)
        ctx = ArrowContext(findings, from_spark=True, finite_only=self.finite_only)
        for spec, pos, path in pairs:
            col = batch.column(pos)
            if isinstance(col, pa.ChunkedArray):
                col = col.combine_chunks() if col.num_chunks != 1 else col.chunk(0)
            if isinstance(spec, TensorSpec):
                check_tensor_arrow(col, spec, path, rows, findings)
                continue
            dtype = spec.type
            if isinstance(dtype, AnyType):
                continue
            if isinstance(dtype, DataType):
                if not arrow_accepts(col.type, dtype, allow_tz=True):
                    findings.add(
                        Code.TYPE_MISMATCH,
                        path,
                        f"column {path}: expected {dtype.name}, got {col.type}; cast the column "
                        f"or change its type in the signature (only lossless conversions are "
                        "allowed)",
                        None,
                        col.drop_null().slice(0, findings.max_examples).to_pylist(),
                    )
                    continue
                if col.null_count and null_violates(
                    dtype, spec.required, top_level=True, strict_nulls=self.strict_nulls
                ):
                    findings.add(
                        Code.NULL_IN_REQUIRED, path, messages.top_null(path), null_mask(col), [None]
                    )
                check_values(col, dtype, path, rows, ctx)
            else:
                check_arrow(col, dtype, path, spec.required, rows, ctx)

    def _check_tensors(self, batch: Any, findings: Findings) -> None:
        frame = batch.to_pandas() if isinstance(batch, (pa.RecordBatch, pa.Table)) else batch
        try:
            enforce_tensors(frame, self.schema)
        except SchemaEnforcementError as e:
            for v in e.violations:
                findings.add(v.code, v.column_path, v.message, None, v.examples)


def _row_index(rows: np.ndarray | None, n: int) -> np.ndarray | None:
    if rows is None:
        return None
    rows = np.asarray(rows)
    if rows.dtype == bool:
        if len(rows) != n:
            raise InvalidArgumentError(f"rows mask has length {len(rows)}, the batch has {n} rows")
        return np.flatnonzero(rows)
    return rows.astype(np.int64, copy=False)


def _spec_type_name(spec: ColSpec | TensorSpec) -> str:
    return spec_name(spec if isinstance(spec, TensorSpec) else spec.type)


def compile_plan(schema: Schema, *, strict_nulls: bool = False, finite_only: bool = False) -> Plan:
    """Compile ``schema`` into a picklable :class:`Plan`.

    Args:
        schema: the input schema to enforce.
        strict_nulls: treat nulls in required top-level columns as violations (``validate``
            and ``conform`` do; MLflow's ``enforce_schema``/``predict`` semantics do not).
        finite_only: NaN and infinities in float fields are violations (``non_finite``).

    Examples:
        >>> from sparksig import ColSpec, Schema
        >>> compile_plan(Schema([ColSpec("double", "x")]), strict_nulls=True).strict_nulls
        True
    """
    if not isinstance(schema, Schema):
        raise ArgumentTypeError(
            f"compile_plan takes a sparksig Schema, got {type(schema).__name__}"
        )
    return Plan(schema, bool(strict_nulls), bool(finite_only))
