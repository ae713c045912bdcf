"""Tables in a scoring request (``dataframe_split``, ``dataframe_records``, CSV), checked.

pandas builds a frame from almost anything: it broadcasts one row over a longer ``index``,
turns the extra fields of a ragged CSV row into an index (so every value shifts one column),
pads short rows with NaN, and renames a repeated CSV header ``x`` to ``x.1``. Each of those
would score data the client did not send, so each is refused here as a
:class:`~sparksig.errors.PayloadError` (an HTTP 400) that says which row or column is wrong.

Examples:
    >>> parse_dataframe({"columns": ["x"], "data": [[1], [2]]}, "split").shape
    (2, 1)
    >>> parse_dataframe({"columns": ["x", "x"], "data": [[1, 2]]}, "split")
    Traceback (most recent call last):
    ...
    sparksig.errors.PayloadError: dataframe_split: column names must be unique; 'x' appears twice
"""

from __future__ import annotations

import csv
import io
from typing import Any

from sparksig.errors import PayloadError
from sparksig.models.conversion import convert_frame
from sparksig.schema import Schema
from sparksig.types import DataType

__all__ = ["parse_csv", "parse_dataframe"]


def _check_columns(columns: Any, where: str) -> list[Any]:
    if not isinstance(columns, list):
        raise PayloadError(f"{where}: 'columns' must be a list of names, got {_kind(columns)}")
    seen: set[Any] = set()
    for i, name in enumerate(columns):
        if isinstance(name, bool) or not isinstance(name, (str, int)):
            raise PayloadError(
                f"{where}: column names must be strings (or integers), but columns[{i}] is "
                f"{_kind(name)}"
            )
        if name in seen:
            raise PayloadError(f"{where}: column names must be unique; {name!r} appears twice")
        seen.add(name)
    return columns


def _check_rows(data: Any, width: int | None, where: str) -> None:
    """Every row a list of ``width`` values (or all rows single values, for one column)."""
    if not isinstance(data, list):
        raise PayloadError(f"{where}: 'data' must be a list of rows, got {_kind(data)}")
    lists = [isinstance(row, list) for row in data]
    if not any(lists):
        if data and width is not None and width != 1:
            raise PayloadError(
                f"{where}: each row of 'data' must be a list of {width} values, got "
                f"{_kind(data[0])}"
            )
        return
    if not all(lists):
        i = lists.index(False)
        raise PayloadError(f"{where}: data[{i}] is {_kind(data[i])}, but other rows are lists")
    expected = width if width is not None else len(data[0])
    for i, row in enumerate(data):
        if len(row) != expected:
            names = "columns" if width is not None else "values as data[0]"
            raise PayloadError(
                f"{where}: data[{i}] has {len(row)} values, but there are {expected} {names}; "
                "every row needs one value per column"
            )


def _check_index(index: Any, rows: int, where: str) -> None:
    if not isinstance(index, list):
        raise PayloadError(f"{where}: 'index' must be a list, got {_kind(index)}")
    if len(index) != rows:
        raise PayloadError(
            f"{where}: 'index' has {len(index)} items but 'data' has {rows} row(s); give one "
            "index label per row, or leave 'index' out"
        )
    for i, label in enumerate(index):
        if isinstance(label, (list, dict)):
            raise PayloadError(f"{where}: index labels must be single values; index[{i}] is not")


def _kind(value: Any) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}
    if value is None:
        return "null"
    return names.get(type(value), "a number" if isinstance(value, (int, float)) else "a value")


def _split_frame(raw: Any) -> Any:
    import pandas as pd

    where = "dataframe_split"
    if not isinstance(raw, dict):
        raise PayloadError(
            f"{where} must be an object with 'data' and optional 'columns' and 'index', got "
            f"{_kind(raw)}"
        )
    keys = set(raw)
    if "data" not in keys or keys - {"columns", "data", "index"}:
        raise PayloadError(
            f"{where} must have 'data' and optionally 'columns' and 'index'; got keys "
            f"{sorted(keys)}"
        )
    columns = _check_columns(raw["columns"], where) if raw.get("columns") is not None else None
    _check_rows(raw["data"], None if columns is None else len(columns), where)
    if raw.get("index") is not None:
        _check_index(raw["index"], len(raw["data"]), where)
    try:
        return pd.DataFrame(index=raw.get("index"), columns=columns, data=raw["data"])
    except (ValueError, TypeError) as e:
        raise PayloadError(f"{where} is not a valid table: {e}") from None


def _records_frame(raw: Any) -> Any:
    import pandas as pd

    if not isinstance(raw, list):
        raise PayloadError(f"dataframe_records must be a list of records, got {_kind(raw)}")
    for i, record in enumerate(raw):
        if not isinstance(record, dict):
            raise PayloadError(
                f"dataframe_records: each record must be an object of column: value, but "
                f"record {i} is {_kind(record)}"
            )
    try:
        return pd.DataFrame(data=raw)
    except (ValueError, TypeError) as e:
        raise PayloadError(f"dataframe_records is not a valid list of records: {e}") from None


def parse_dataframe(raw: Any, orient: str, schema: Schema | None = None) -> Any:
    """Build a pandas DataFrame from ``split`` or ``records`` JSON and convert its columns.

    Raises:
        PayloadError: not a table: duplicate or non-string column names, rows of the wrong
            length, an ``index`` whose length is not the number of rows, records that are not
            objects.
    """
    df = _records_frame(raw) if orient == "records" else _split_frame(raw)
    return convert_frame(df, schema) if schema is not None else df


def _check_csv(text: str) -> None:
    """A header of unique names, then rows of exactly as many fields (blank lines skipped)."""
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader, None)
        if not header:
            raise PayloadError("The CSV body is empty; send a header row, then one row per record")
        seen: set[str] = set()
        for name in header:
            if name in seen:
                raise PayloadError(
                    f"The CSV header names column {name!r} twice; column names must be unique"
                )
            seen.add(name)
        for row in reader:
            if row and len(row) != len(header):
                raise PayloadError(
                    f"CSV line {reader.line_num} has {len(row)} field(s) but the header has "
                    f"{len(header)}; every row needs one field per column"
                )
    except csv.Error as e:
        raise PayloadError(f"The request body is not a valid CSV table: {e}") from None


def parse_csv(text: str, schema: Schema | None = None) -> Any:
    """Read a CSV table (header row first) and convert its columns.

    Raises:
        PayloadError: an empty body, a repeated column name, or a row with more or fewer
            fields than the header (naming the line).

    Examples:
        >>> parse_csv("x,y\\n1,2,3,4")
        Traceback (most recent call last):
        ...
        sparksig.errors.PayloadError: CSV line 2 has 4 field(s) but the header has 2; every row needs one field per column
    """
    import pandas as pd

    _check_csv(text)
    dtypes: dict[Any, Any] = {}
    if schema is not None and schema.has_input_names() and not schema.is_tensor_spec():
        # text columns stay text ("007" is a string, not 7)
        for spec in schema.inputs:
            if spec.type in (DataType.string, DataType.binary):
                dtypes[spec.name] = object
    try:
        df = pd.read_csv(io.StringIO(text), dtype=dtypes or None, index_col=False)
    except Exception as e:
        raise PayloadError(f"The request body is not a valid CSV table: {e}") from None
    return convert_frame(df, schema) if schema is not None else df
