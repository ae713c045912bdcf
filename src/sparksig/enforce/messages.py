"""What each data-level finding says, written once for every engine that reports it.

The Arrow engine (:mod:`sparksig.enforce.nested`, :mod:`~sparksig.enforce.plan`,
:mod:`~sparksig.enforce.tensors`) and the native Spark engine (:mod:`sparksig.spark.check.native`)
both take their messages from here, so the same violation reads the same whichever engine
found it.

Examples:
    >>> top_null("age")
    'null value in required column age: fill the missing values, drop those rows, or declare the column optional (required=False)'
"""

from __future__ import annotations

from typing import Any

from sparksig.rules import DATETIME_NS_RANGE, type_name

__all__ = [
    "missing_property",
    "nested_null",
    "non_finite",
    "out_of_range",
    "tensor_null",
    "tensor_shape",
    "top_null",
    "unexpected_property",
]


def top_null(path: str) -> str:
    return (
        f"null value in required column {path}: fill the missing values, drop those rows, or "
        "declare the column optional (required=False)"
    )


def nested_null(spec: Any, path: str) -> str:
    return (
        f"null value where a {type_name(spec)} is required at {path}; fill it, or declare "
        "the enclosing column or property optional (required=False)"
    )


def out_of_range(path: str) -> str:
    low, high = DATETIME_NS_RANGE
    return (
        f"timestamp outside the datetime64[ns] range {low:%Y-%m-%d} .. {high:%Y-%m-%d} at "
        f"{path}, which the signature's datetime type (numpy datetime64[ns], as in MLflow) "
        "cannot hold: fix or drop those values"
    )


def non_finite(path: str) -> str:
    return (
        f"NaN or infinity at {path} where finite values are required (finite_only=True): "
        "fill or drop those values"
    )


def tensor_null(path: str) -> str:
    return f"null value in tensor {path}: tensors are never optional; fill or drop those rows"


def tensor_shape(shape: tuple[int, ...], path: str) -> str:
    return (
        f"expected shape {shape} (-1 = any size) at {path}: make every row's arrays the "
        "declared length"
    )


def unexpected_property(name: str, spec: Any, path: str) -> str:
    return (
        f"property {name!r} is not declared in {type_name(spec)} at {path}: remove it from the "
        "data or declare it in the signature"
    )


def missing_property(name: str, path: str) -> str:
    return (
        f"required property {name!r} of {path} is missing: add it to the data or declare it "
        "optional (required=False)"
    )
