"""Input examples and serving payloads, written exactly as MLflow writes them.

An input example is stored twice in a model directory:

- ``input_example.json``: the example in a compact JSON form (DataFrames in pandas ``split``
  orient, or ``values`` orient when the columns are the default 0..n-1; ndarrays and dicts of
  ndarrays as nested lists with NaN as null; other objects as they are; bytes base64-encoded),
  wrapped as ``{"inputs": ..., "params": ...}`` when the example carries params;
- ``serving_input_example.json``: the request body the scoring server accepts, indented by two
  spaces: ``{"dataframe_split": ...}`` for DataFrames, ``{"inputs": ...}`` otherwise, plus
  ``"params"``.

The ``MLmodel`` file records both under ``saved_input_example_info``.

Examples:
    >>> ex = make_example({"question": "What is Spark?"})
    >>> ex.info["type"], ex.input_json
    ('json_object', '{"question": "What is Spark?"}')
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass
from typing import Any

from sparksig.errors import SerializationError
from sparksig.kinds import (
    is_numpy_array,
    is_pandas_dataframe,
    is_pydantic_model,
    is_spark_dataframe,
)
from sparksig.models.paths import open_regular_file, resolve_inside

__all__ = [
    "EXAMPLE_FILE",
    "SERVING_EXAMPLE_FILE",
    "Example",
    "ExampleEncoder",
    "convert_for_json",
    "make_example",
    "read_example",
    "read_example_params",
    "to_serving_payload",
]

EXAMPLE_FILE = "input_example.json"
SERVING_EXAMPLE_FILE = "serving_input_example.json"
# The scoring server's unwrapped chat / completions / embeddings requests (MLflow's rule).
_LLM_KEYS = ("messages", "prompt", "input")


class ExampleEncoder(json.JSONEncoder):
    """JSON for numpy, pandas, datetime and bytes values (MLflow's ``NumpyEncoder`` rules)."""

    def default(self, o: Any) -> Any:
        converted, ok = convert_for_json(o)
        return converted if ok else super().default(o)


def convert_for_json(o: Any) -> tuple[Any, bool]:
    """``(json_form, True)`` for bytes, dates, numpy and pydantic values; ``(o, False)`` else.

    Examples:
        >>> convert_for_json(b"abc")
        ('YWJj\\n', True)
    """
    if isinstance(o, (bytes, bytearray)):
        return base64.encodebytes(o).decode("ascii"), True
    if isinstance(o, (dt.date, dt.datetime, dt.time)):  # pandas.Timestamp is a datetime
        return o.isoformat(), True
    module = type(o).__module__
    if module == "numpy":
        import numpy as np

        if isinstance(o, np.ndarray):
            if o.dtype == object:
                return [convert_for_json(x)[0] for x in o.tolist()], True
            if o.dtype.kind == "S":
                return np.vectorize(lambda x: base64.encodebytes(x).decode("ascii"))(o), True
            return o.tolist(), True
        if isinstance(o, np.datetime64):
            return np.datetime_as_string(o), True
        if isinstance(o, np.generic):
            return o.item(), True
    dump = getattr(o, "model_dump", None)  # pydantic models
    if callable(dump):
        return dump(), True
    return o, False


@dataclass(frozen=True)
class Example:
    """An input example prepared for saving.

    Attributes:
        info: the ``saved_input_example_info`` block for the ``MLmodel`` file.
        input_json: the text of ``input_example.json``.
        serving_json: the text of ``serving_input_example.json`` (``None`` when there is none).
        data: the example's model input, as given.
        params: the example's params, or ``None``.
    """

    info: dict[str, Any]
    input_json: str
    serving_json: str | None
    data: Any
    params: dict[str, Any] | None

    def save(self, model_dir: str | os.PathLike[str]) -> None:
        """Write the example files into ``model_dir``."""
        with open(os.path.join(model_dir, self.info["artifact_path"]), "w") as f:
            f.write(self.input_json)
        if self.serving_json is not None:
            with open(os.path.join(model_dir, self.info["serving_input_path"]), "w") as f:
                f.write(self.serving_json)


def _split_params(example: Any) -> tuple[Any, dict[str, Any] | None]:
    if isinstance(example, tuple) and len(example) == 2 and isinstance(example[1], dict):
        return example[0], example[1]
    return example, None


def _ndarray_to_json(array: Any) -> Any:
    import numpy as np

    if np.issubdtype(array.dtype, np.number):
        array = np.where(np.isnan(array), None, array)
    return array.tolist()


def _dataframe_to_split(df: Any) -> dict[str, Any]:
    result = df.where(df.notnull(), None).to_dict(orient="split")
    del result["index"]
    if all(df.columns == range(len(df.columns))):
        del result["columns"]  # the default 0..n-1 columns are not written ("values" orient)
    return result


def _contains_ndarray(value: Any) -> bool:
    if is_numpy_array(value):
        return True
    if isinstance(value, list):
        return any(_contains_ndarray(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_ndarray(v) for v in value.values())
    return False


def _is_scalar(value: Any) -> bool:
    if isinstance(value, (bool, int, float, complex, str, bytes, dt.datetime)):
        return True
    if type(value).__module__ == "numpy":
        import numpy as np

        return bool(np.isscalar(value))
    return False


def make_example(input_example: Any) -> Example:
    """Prepare an input example for saving, in MLflow's formats.

    Args:
        input_example: a pandas DataFrame, a numpy ndarray, a dict of ndarrays, a dict or list
            of JSON-able values, a scalar (bytes included) or a datetime; or a tuple
            ``(example, params_dict)`` to record inference params too.

    Raises:
        TypeError: for Spark DataFrames (collect a few rows to pandas first), numpy arrays
            nested in lists, dicts mixing ndarrays with other values, and unsupported types.

    Examples:
        >>> make_example([1, 2, 3]).serving_json
        '{\\n  "inputs": [\\n    1,\\n    2,\\n    3\\n  ]\\n}'
    """
    if is_spark_dataframe(input_example):
        raise TypeError(
            "A Spark DataFrame cannot be an input example; take a few rows with "
            "df.limit(5).toPandas() and pass that pandas DataFrame instead."
        )
    data, params = _split_params(input_example)
    if params:
        from sparksig.infer.api import infer_signature

        infer_signature(params=params)  # params must have a schema (MLflow checks this too)
    info: dict[str, Any] = {"artifact_path": EXAMPLE_FILE}
    if params:
        info["params"] = "true"
    model_input: Any = data
    is_llm = False
    if is_pydantic_model(model_input):
        model_input = model_input.model_dump()
    if isinstance(model_input, dict):
        arrays = [is_numpy_array(v) for v in model_input.values()]
        if any(arrays):
            if not all(arrays):
                raise TypeError(
                    "An input example dict must hold only numpy arrays or no numpy arrays; "
                    "found a mix"
                )
            info["type"] = "ndarray"
            model_input = {k: _ndarray_to_json(v) for k, v in model_input.items()}
            serving: Any = {"inputs": model_input}
        else:
            info["type"] = "json_object"
            is_llm = any(k in model_input for k in _LLM_KEYS)
            serving = model_input if is_llm else {"inputs": model_input}
    elif is_numpy_array(model_input):
        info["type"] = "ndarray"
        model_input = _ndarray_to_json(model_input)
        serving = {"inputs": model_input}
    elif isinstance(model_input, list):
        if _contains_ndarray(model_input):
            raise TypeError("Numpy arrays inside a list are not supported as input examples")
        info["type"] = "json_object"
        serving = {"inputs": model_input}
    elif is_pandas_dataframe(model_input):
        model_input = _dataframe_to_split(model_input)
        serving = {"dataframe_split": model_input}
        info["type"] = "dataframe"
        info["pandas_orient"] = "split" if "columns" in model_input else "values"
    elif _is_scalar(model_input):
        info["type"] = "json_object"
        serving = {"inputs": model_input}
    else:
        raise TypeError(
            "An input example must be a pandas DataFrame, a numpy ndarray, a dict of ndarrays, "
            f"a dict, a list, a scalar or a datetime, got {type(model_input).__name__}"
        )
    if params is not None:  # MLflow wraps even an empty dict, but flags only a non-empty one
        model_input = {"inputs": model_input, "params": params}
        serving = {**serving, **params} if is_llm else {**serving, "params": params}
    info["serving_input_path"] = SERVING_EXAMPLE_FILE
    return Example(
        info=info,
        input_json=json.dumps(model_input, cls=ExampleEncoder),
        serving_json=json.dumps(serving, cls=ExampleEncoder, indent=2),
        data=data,
        params=params,
    )


def to_serving_payload(input_example: Any) -> str:
    """The scoring-server request body for an input example (MLflow's format).

    Examples:
        >>> print(to_serving_payload(({"q": "hi"}, {"temperature": 0.5})))
        {
          "inputs": {
            "q": "hi"
          },
          "params": {
            "temperature": 0.5
          }
        }
    """
    serving = make_example(input_example).serving_json
    assert serving is not None
    return serving


def _read_json(model_dir: str, name: str, key: str) -> Any:
    file = resolve_inside(model_dir, name, key)
    try:
        with open_regular_file(file, key, text=True) as f:
            return json.load(f)
    except FileNotFoundError:
        raise SerializationError(
            f"the MLmodel file names {name!r} but {file} does not exist", key
        ) from None
    except SerializationError:
        raise
    except ValueError as e:  # not JSON, not UTF-8, or a number Python will not read
        raise SerializationError(f"{file} is not valid JSON: {e}", key) from None
    except RecursionError:
        raise SerializationError(f"{file} is nested too deeply to read", key) from None
    except OSError as e:
        raise SerializationError(f"cannot read {file}: {e.strerror or e}", key) from None


def _with_params(raw: Any, file_key: str) -> dict[str, Any]:
    """An example saved with params: ``{"inputs": ..., "params": {...}}``."""
    if (
        not isinstance(raw, dict)
        or "inputs" not in raw
        or not isinstance(raw.get("params", {}), dict)
    ):
        raise SerializationError(
            "saved_input_example_info.params says the example carries params, so the file "
            'must hold {"inputs": ..., "params": {...}}',
            file_key,
        )
    return raw


def read_example(model_dir: str, info: dict[str, Any] | None, schema: Any = None) -> Any:
    """Load the saved input example as model input (MLflow's ``load_input_example``).

    DataFrame examples come back as pandas DataFrames with columns converted to the signature's
    types; ndarray examples as numpy arrays (or dicts of them); JSON objects as they were saved.
    Returns ``None`` when the model has no example.
    """
    if info is None:
        return None
    kind = info.get("type")
    if kind not in ("dataframe", "ndarray", "json_object"):
        raise SerializationError(
            f"example type {kind!r} is not supported; expected dataframe, ndarray or json_object",
            "saved_input_example_info.type",
        )
    raw = _read_json(model_dir, info["artifact_path"], "saved_input_example_info.artifact_path")
    if info.get("params"):
        raw = _with_params(raw, "saved_input_example_info.artifact_path")["inputs"]
    if kind == "json_object":
        return raw
    from sparksig.models import payload

    if kind == "ndarray":
        return payload.parse_inputs(raw, schema)
    return payload.parse_dataframe(raw, "split", schema)


def read_example_params(model_dir: str, info: dict[str, Any] | None) -> dict[str, Any] | None:
    """The params saved with the input example, or ``None``."""
    if not info or not info.get("params"):
        return None
    key = "saved_input_example_info.artifact_path"
    return _with_params(_read_json(model_dir, info["artifact_path"], key), key).get("params")
