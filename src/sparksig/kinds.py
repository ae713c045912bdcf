"""What kind of input a value is, decided without importing the libraries it may come from.

One module knows the input kinds; every dispatcher asks it. A class is recognised by the
module and name of any class in its MRO, so subclasses (pyspark's classic and Connect
DataFrames, a user's own DataFrame subclass) are recognised alike, and asking never imports
pyspark, pandas, numpy, scipy, pydantic or mlflow.

Examples:
    >>> is_spark_dataframe([1, 2]), is_pandas_dataframe({"a": [1]})
    (False, False)
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "is_mlflow_python_model",
    "is_numpy_array",
    "is_pandas_dataframe",
    "is_pandas_series",
    "is_pydantic_model",
    "is_scipy_sparse",
    "is_spark_connect_session",
    "is_spark_dataframe",
    "is_streaming_dataframe",
]


def _has_class(value: Any, module_prefix: str, *names: str) -> bool:
    return any(
        c.__name__ in names and (c.__module__ or "").startswith(module_prefix)
        for c in type(value).__mro__
    )


def is_spark_dataframe(value: Any) -> bool:
    """A pyspark DataFrame: classic, Spark Connect, or a subclass of either."""
    return _has_class(value, "pyspark.sql", "DataFrame")


def is_streaming_dataframe(value: Any) -> bool:
    """A Spark DataFrame over a streaming source (it can only run through ``writeStream``)."""
    return is_spark_dataframe(value) and bool(getattr(value, "isStreaming", False))


def is_spark_connect_session(session: Any) -> bool:
    """A Spark Connect session (no py4j gateway, no ``sparkContext``)."""
    return _has_class(session, "pyspark.sql.connect", "SparkSession")


def is_pandas_dataframe(value: Any) -> bool:
    return _has_class(value, "pandas", "DataFrame")


def is_pandas_series(value: Any) -> bool:
    return _has_class(value, "pandas", "Series")


def is_numpy_array(value: Any) -> bool:
    return _has_class(value, "numpy", "ndarray")


def is_scipy_sparse(value: Any) -> bool:
    """A scipy CSR or CSC matrix (the sparse kinds MLflow infers tensors from)."""
    return _has_class(value, "scipy.sparse", "csr_matrix", "csc_matrix")


def is_pydantic_model(value: Any) -> bool:
    return _has_class(value, "pydantic", "BaseModel")


def is_mlflow_python_model(value: Any) -> bool:
    return _has_class(value, "mlflow.pyfunc", "PythonModel")
