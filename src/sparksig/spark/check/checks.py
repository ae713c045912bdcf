"""Compiled checks: one :class:`Check` per ``(code, path)`` and the :class:`CheckSet` of a
binding, which projects a table onto the positional names the checks read and flags, passes
or guards its rows (see :mod:`.native` for how checks are compiled).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F
from pyspark.sql import types as T

from sparksig.errors import Code
from sparksig.spark.check import reasons
from sparksig.spark.check.binding import Bound
from sparksig.spark.check.sql import has_struct, renamed, variable

__all__ = ["Check", "CheckSet"]


@dataclass(frozen=True, eq=False)
class Check:
    """One data-level check: rows where ``sql`` is true have ``code`` at ``path``.

    Attributes:
        code: the violation code.
        path: where (``address.city``, ``items[].price``, ``scores{}``).
        message: what the Arrow engine says for the same finding.
        sql: a boolean Spark SQL expression over :meth:`CheckSet.project`'s aliases only,
            never null.
        input: the declared column the path starts in (its value is the example shown), as
            a position among the check set's inputs.
    """

    code: Code
    path: str
    message: str
    sql: str
    input: int

    @property
    def label(self) -> str:
        return f"{self.code.value}:{self.path}"


@dataclass(frozen=True, eq=False)
class CheckSet:
    """The compiled checks of a binding, and the internal names their SQL reads.

    Attributes:
        checks: one per ``(code, path)``, in schema order.
        inputs: the columns the checks read, each at ``positions[i]`` of ``columns``.
        prefix: starts every internal name; no column of the table starts with it.
        columns: the table's column names when the checks were compiled.
        positions: where each input is among ``columns``.
    """

    checks: tuple[Check, ...]
    inputs: tuple[Bound, ...]
    prefix: str
    columns: tuple[str, ...]
    positions: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.checks)

    def __iter__(self) -> Iterator[Check]:
        return iter(self.checks)

    def __getitem__(self, i: int) -> Check:
        return self.checks[i]

    def position(self, j: int) -> str:
        """Column ``j`` of the table, renamed by :meth:`project`."""
        return f"{self.prefix}t{j}"

    def alias(self, i: int) -> str:
        """What the checks read for input ``i``: its column, struct fields renamed by
        position where it holds structs."""
        if has_struct(self._type(i)):
            return f"{self.prefix}c{i}"
        return self.position(self.positions[i])

    def value(self, i: int) -> str:
        """Input ``i`` as it is in the table (the example shown)."""
        return self.position(self.positions[i])

    def _type(self, i: int) -> T.DataType:
        field = self.inputs[i].field
        assert field is not None
        return field.dataType

    def _structs(self) -> list[int]:
        return [i for i in range(len(self.inputs)) if has_struct(self._type(i))]

    def project(self, df: DataFrame) -> DataFrame:
        """``df`` with every column renamed by position, plus the positional casts of
        struct-holding inputs: the only way the checks reach a column.

        ``toDF`` renames by position (one call; no name is parsed), and the casts go through
        the ``Column`` API over those internal names. :meth:`restore` gives the names back.
        """
        if tuple(df.columns) != self.columns:
            raise AssertionError("a CheckSet reads the table it was compiled for")
        by_position = df.toDF(*[self.position(j) for j in range(len(self.columns))])
        casts = [
            renamed(F.col(self.value(i)), self._type(i), self.inputs[i].name).alias(self.alias(i))
            for i in self._structs()
        ]
        return by_position.select("*", *casts) if casts else by_position

    def restore(self, frame: DataFrame, *added: str) -> DataFrame:
        """A frame of :meth:`project` with the table's names back, plus ``added`` columns
        (appended after the table's, in that order)."""
        internal = [self.alias(i) for i in self._structs()]
        return (frame.drop(*internal) if internal else frame).toDF(*self.columns, *added)

    @property
    def failed_sql(self) -> str:
        """SQL true on a row that fails any check (one short-circuit ``OR``)."""
        return " OR ".join(f"({c.sql})" for c in self.checks) or "false"

    def failed(self) -> Column:
        """Whether a row fails any check, over :meth:`project`'s frame."""
        return F.expr(self.failed_sql)

    def reasons(self) -> Column:
        """The findings a row fails (:mod:`sparksig.spark.check.reasons`); null when it passes.

        Over :meth:`project`'s frame. The array is built only for failing rows (``CASE
        WHEN`` on :attr:`failed_sql`); passing rows pay the one predicate. The paths hold
        user names, so they travel as a JSON literal, never as SQL text.
        """
        if not self.checks:
            return reasons.none()
        x = variable(0)
        hits = ", ".join(f"IF({c.sql}, {i + 1}, NULL)" for i, c in enumerate(self.checks))
        failing = (
            f"CASE WHEN {self.failed_sql} THEN filter(array({hits}), {x} -> {x} IS NOT NULL) END"
        )
        labels = reasons.literal((c.code.value, c.path) for c in self.checks)
        return F.transform(F.expr(failing), lambda i: F.element_at(labels, i))

    def flag(self, df: DataFrame, column: str) -> DataFrame:
        """``df`` plus ``column``: the reasons of each row (null for rows that pass)."""
        projected = self.project(df)
        return self.restore(projected.select("*", self.reasons().alias(column)), column)

    def passing(self, df: DataFrame) -> DataFrame:
        """The rows of ``df`` that pass every check, nothing added: exactly the rows whose
        :meth:`reasons` are null (a predicate that came out null would count as passing
        there, so it does here), which makes it the complement of the rejected rows."""
        return self.restore(self.project(df).filter(~F.coalesce(self.failed(), F.lit(False))))

    def guarded(self, df: DataFrame, message: str) -> DataFrame:
        """``df``, failing its job with ``message`` and a row's reasons on a failing row."""
        if not self.checks:
            return df
        why = F.array_join(reasons.as_text(self.reasons()), ", ")
        stop = F.raise_error(F.concat(F.lit(message), why))
        guard = F.when(self.failed(), stop).otherwise(F.lit(True))
        return self.restore(self.project(df).filter(guard))
