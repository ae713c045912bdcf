"""Column and tensor specs, schemas, and inference params.

Construction follows MLflow's rules (see :class:`Schema`); the JSON written by ``to_json`` is
MLflow's, field for field, and ``from_json`` also reads the older forms MLflow still reads
(``"optional"`` instead of ``"required"``, columns without ``"required"``).

Examples:
    >>> s = Schema([ColSpec("double", "x"), ColSpec("string", "tag", required=False)])
    >>> s.to_json()
    '[{"type": "double", "name": "x", "required": true}, {"type": "string", "name": "tag", "required": false}]'
    >>> Schema.from_json(s.to_json()) == s
    True
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Union

from sparksig.errors import SchemaDefinitionError, SerializationError
from sparksig.params import convert_param_value
from sparksig.types import (
    DataType,
    Object,
    SpecType,
    as_type,
    describe_duplicates,
    duplicates,
    type_from_dict,
)

__all__ = ["ColSpec", "ParamSchema", "ParamSpec", "Schema", "TensorSpec"]


@dataclass(frozen=True, slots=True, init=False)
class ColSpec:
    """One column: a type, an optional name, and whether it must be present.

    ``required=True`` means the column must be present; when validating tables it also
    means non-null (see the README, "Required means non-null when validating").
    """

    type: SpecType
    name: str | int | None
    required: bool

    def __init__(
        self, type: SpecType | str, name: str | int | None = None, required: bool = True
    ) -> None:
        # MLflow keeps pandas' integer column labels (a DataFrame with default columns infers
        # names 0, 1, ...) and writes them as JSON numbers; they must read back.
        if name is not None and (
            not isinstance(name, (str, int)) or isinstance(name, bool) or name == ""
        ):
            raise SchemaDefinitionError(
                "ColSpec name must be a non-empty string, an integer column label or None, "
                f"got {name!r}"
            )
        if not isinstance(required, bool):
            raise SchemaDefinitionError(
                f"ColSpec {name!r}: required must be a bool, got {required!r}"
            )
        object.__setattr__(
            self, "type", as_type(type, "<unnamed column>" if name is None else str(name))
        )
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "required", required)

    @property
    def optional(self) -> bool:
        return not self.required

    def to_dict(self) -> dict[str, Any]:
        d = self.type.to_dict()
        if self.name is not None:
            d["name"] = self.name
        d["required"] = self.required
        return d

    @classmethod
    def from_json_dict(cls, d: dict[str, Any], path: str = "") -> ColSpec:
        name = d.get("name")
        if name is not None and (
            not isinstance(name, (str, int)) or isinstance(name, bool) or name == ""
        ):
            raise SerializationError(
                f"'name' must be a non-empty string (or an integer column label, as MLflow "
                f"writes for pandas' default columns), got {name!r}",
                f"{path}.name",
            )
        if "required" in d:
            required = d["required"]
        elif "optional" in d:  # MLflow < 2.8 wrote {"optional": bool}
            optional = d["optional"]
            required = not optional if isinstance(optional, bool) else optional
        else:
            required = True
        if not isinstance(required, bool):
            raise SerializationError(
                f"'required' must be true or false, got {required!r}", f"{path}.required"
            )
        return cls(type_from_dict(d, path), name, required)

    def __repr__(self) -> str:
        head = f"{self.name!r}: " if self.name is not None else ""
        return f"{head}{self.type!r}" + (" (required)" if self.required else " (optional)")


@dataclass(frozen=True, slots=True, init=False)
class TensorSpec:
    """A tensor input: a numpy dtype and a shape, ``-1`` for free dimensions.

    The dtype is kept as numpy's name for it (``"float32"``); :attr:`type` gives the
    ``numpy.dtype``. Tensors are never optional.
    """

    dtype: str
    shape: tuple[int, ...]
    name: str | None

    def __init__(self, type: Any, shape: Iterable[int], name: str | None = None) -> None:
        dtype = _numpy_dtype_name(type, name)
        try:
            dims = tuple(shape)
        except TypeError:
            raise SchemaDefinitionError(
                f"TensorSpec {name!r}: shape must be a tuple or list of ints, got {shape!r}"
            ) from None
        if not all(isinstance(d, int) and not isinstance(d, bool) and d >= -1 for d in dims):
            raise SchemaDefinitionError(
                f"TensorSpec {name!r}: shape must hold ints >= -1 (-1 = any size), got {shape!r}"
            )
        if name is not None and not isinstance(name, str):
            raise SchemaDefinitionError(f"TensorSpec name must be a string or None, got {name!r}")
        object.__setattr__(self, "dtype", dtype)
        object.__setattr__(self, "shape", dims)
        object.__setattr__(self, "name", name)

    @property
    def type(self) -> Any:
        import numpy as np

        return np.dtype(self.dtype)

    @property
    def required(self) -> bool:
        return True

    optional = False

    def to_dict(self) -> dict[str, Any]:
        spec = {"dtype": self.dtype, "shape": list(self.shape)}
        if self.name is None:
            return {"type": "tensor", "tensor-spec": spec}
        return {"name": self.name, "type": "tensor", "tensor-spec": spec}

    @classmethod
    def from_json_dict(cls, d: dict[str, Any], path: str = "") -> TensorSpec:
        spec = d.get("tensor-spec")
        if not isinstance(spec, dict) or "dtype" not in spec or "shape" not in spec:
            raise SerializationError(
                f'a tensor needs \'tensor-spec\': {{"dtype": ..., "shape": [...]}}, got {spec!r}',
                f"{path}.tensor-spec",
            )
        shape = spec["shape"]
        if not isinstance(shape, list):
            raise SerializationError(
                f"shape must be a list of ints, got {shape!r}", f"{path}.tensor-spec.shape"
            )
        try:
            return cls(spec["dtype"], shape, d.get("name"))
        except SchemaDefinitionError as e:
            raise SerializationError(str(e), f"{path}.tensor-spec") from None

    def __repr__(self) -> str:
        head = f"{self.name!r}: " if self.name is not None else ""
        return f"{head}Tensor({self.dtype}, {self.shape})"


def _numpy_dtype_name(value: Any, name: str | None) -> str:
    import numpy as np

    try:
        dtype = np.dtype(value)
    except TypeError:
        raise SchemaDefinitionError(
            f"TensorSpec {name!r}: {value!r} is not a numpy dtype (try 'float32', 'int64')"
        ) from None
    if dtype.char in ("U", "S") and dtype.itemsize:
        raise SchemaDefinitionError(
            f"TensorSpec {name!r}: sized dtype {dtype.name!r} is not supported; "
            f"use {dtype.name.rstrip('0123456789')!r}"
        )
    return dtype.name


Spec = Union[ColSpec, TensorSpec]


@dataclass(frozen=True, slots=True, init=False)
class Schema:
    """An ordered list of column specs or of tensor specs (never both).

    MLflow's construction rules apply: the list is not empty; names are all given or all
    absent; an unnamed column cannot be optional; there is at most one unnamed tensor. Names
    must also be unique (MLflow does not check; duplicates make enforcement ambiguous).

    Construction is linear in the number of specs, and looking a spec up by name is O(1).
    """

    inputs: tuple[Spec, ...]
    _by_name: dict[str | int, Spec] = field(compare=False, repr=False)

    def __init__(self, inputs: Iterable[Spec]) -> None:
        specs = tuple(inputs)
        if not specs:
            raise SchemaDefinitionError("A schema needs at least one column or tensor spec")
        kinds = {type(s) for s in specs}
        if not kinds <= {ColSpec, TensorSpec}:
            bad = next(s for s in specs if not isinstance(s, (ColSpec, TensorSpec)))
            raise SchemaDefinitionError(
                f"Schema entries must be ColSpec or TensorSpec, got {bad!r}"
            )
        if len(kinds) > 1:
            raise SchemaDefinitionError("A schema holds either ColSpecs or TensorSpecs, not both")
        named = [s.name is not None for s in specs]
        if any(named) and not all(named):
            raise SchemaDefinitionError(
                "Give every spec a name or none of them: this schema mixes named and unnamed"
            )
        if not any(named):
            if kinds == {TensorSpec} and len(specs) > 1:
                raise SchemaDefinitionError(
                    "A schema holds at most one unnamed tensor; name the tensors"
                )
            if any(not s.required for s in specs):
                raise SchemaDefinitionError(
                    "Unnamed columns cannot be optional; name the columns or make them required"
                )
        by_name = {s.name: s for s in specs if s.name is not None}
        if len(by_name) < sum(named):
            dupes = duplicates(s.name for s in specs if s.name is not None)
            raise SchemaDefinitionError(f"Schema has duplicate names: {describe_duplicates(dupes)}")
        object.__setattr__(self, "inputs", specs)
        object.__setattr__(self, "_by_name", by_name)

    def __len__(self) -> int:
        return len(self.inputs)

    def __iter__(self) -> Iterator[Spec]:
        return iter(self.inputs)

    def __getitem__(self, key: int | str) -> Spec:
        if isinstance(key, str):
            return self._by_name[key]
        return self.inputs[key]

    def is_tensor_spec(self) -> bool:
        return isinstance(self.inputs[0], TensorSpec)

    def has_input_names(self) -> bool:
        return self.inputs[0].name is not None

    def input_names(self) -> list[str | int]:
        return [s.name if s.name is not None else i for i, s in enumerate(self.inputs)]

    def required_input_names(self) -> list[str | int]:
        return [n for n, s in zip(self.input_names(), self.inputs) if s.required]

    def optional_input_names(self) -> list[str | int]:
        return [n for n, s in zip(self.input_names(), self.inputs) if not s.required]

    def input_types(self) -> list[Any]:
        return [s.type for s in self.inputs]

    def input_dict(self) -> dict[str | int, Spec]:
        return dict(zip(self.input_names(), self.inputs))

    def numpy_types(self) -> list[Any]:
        """numpy dtypes of the inputs (MLflow's ``Schema.numpy_types``)."""
        import numpy as np

        out = []
        for s in self.inputs:
            if isinstance(s, TensorSpec):
                out.append(s.type)
            elif isinstance(s.type, DataType):
                out.append(s.type.to_numpy())
            else:
                out.append(np.dtype("object"))
        return out

    def to_dict(self) -> list[dict[str, Any]]:
        return [s.to_dict() for s in self.inputs]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, json_str: str | list[Any]) -> Schema:
        """Read MLflow's JSON (a string, or the already-parsed list)."""
        doc = _load_json(json_str, "schema")
        if not isinstance(doc, list):
            raise SerializationError(f"a schema is a JSON list of specs, got {doc!r}", "schema")
        specs: list[Spec] = []
        for i, d in enumerate(doc):
            path = f"[{i}]"
            if not isinstance(d, dict):
                raise SerializationError(f"expected a JSON object, got {d!r}", path)
            if d.get("type") == "tensor":
                specs.append(TensorSpec.from_json_dict(d, path))
            else:
                specs.append(ColSpec.from_json_dict(d, path))
        try:
            return cls(specs)
        except SerializationError:
            raise
        except SchemaDefinitionError as e:
            raise SerializationError(str(e), "schema") from None

    def __repr__(self) -> str:
        return f"Schema([{', '.join(repr(s) for s in self.inputs)}])"


def _load_json(value: Any, what: str) -> Any:
    if isinstance(value, (bytes, bytearray)):
        value = value.decode()
    if isinstance(value, str):
        try:
            return json.loads(value)
        except json.JSONDecodeError as e:
            raise SerializationError(f"not valid JSON ({e.msg} at char {e.pos})", what) from None
        except ValueError as e:  # a number longer than Python's int limit (4,300 digits)
            raise SerializationError(f"not valid JSON ({e})", what) from None
        except RecursionError:
            raise SerializationError(
                "the JSON is nested too deeply to read (hundreds of levels); is it a signature?",
                what,
            ) from None
    return value


@dataclass(frozen=True, slots=True, init=False)
class ParamSpec:
    """An inference parameter: name, type, default and shape (``None`` or ``(-1,)``).

    The default is checked against type and shape and stored as a Python native value
    (``np.float32(0.5)`` becomes ``0.5``; an ISO string for a datetime becomes a datetime).
    """

    name: str
    dtype: SpecType
    default: Any
    shape: tuple[int, ...] | None

    def __init__(
        self,
        name: str,
        dtype: SpecType | str,
        default: Any,
        shape: Iterable[int] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name:
            raise SchemaDefinitionError(f"ParamSpec name must be a non-empty string, got {name!r}")
        dt = as_type(dtype, f"params.{name}")
        if not isinstance(dt, (DataType, Object)):
            raise SchemaDefinitionError(
                f"Param {name!r}: type must be a scalar type or Object, got {dt!r}"
            )
        dims = None if shape is None else tuple(shape)
        if dims not in (None, (-1,)):
            raise SchemaDefinitionError(
                f"Param {name!r}: shape must be None (scalar) or (-1,) (1-D list), got {shape!r}"
            )
        value = convert_param_value(default, dt, dims, name)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "dtype", dt)
        object.__setattr__(self, "default", value)
        object.__setattr__(self, "shape", dims)

    @property
    def type(self) -> SpecType:
        return self.dtype

    def to_dict(self) -> dict[str, Any]:
        """MLflow's key order: name, default, shape, then the type (and properties)."""
        default = self.default
        if self.dtype is DataType.datetime and default is not None:
            default = (
                default.isoformat() if self.shape is None else [v.isoformat() for v in default]
            )
        return {
            "name": self.name,
            "default": default,
            "shape": None if self.shape is None else list(self.shape),
            **self.dtype.to_dict(),
        }

    @classmethod
    def from_json_dict(cls, d: dict[str, Any], path: str = "") -> ParamSpec:
        if "type" not in d and "dtype" in d:  # older MLflow wrote "dtype"
            d = {**d, "type": d["dtype"]}
        for key in ("name", "type", "default"):
            if key not in d:
                raise SerializationError(f"a param needs {key!r}, got {d!r}", path)
        dtype = type_from_dict(d, path)
        shape = d.get("shape")
        try:
            return cls(d["name"], dtype, d["default"], shape)
        except SchemaDefinitionError as e:
            raise SerializationError(str(e), path) from None

    def __repr__(self) -> str:
        shape = "" if self.shape is None else f", shape={self.shape}"
        return f"{self.name!r}: {self.dtype!r} (default: {self.default!r}{shape})"


@dataclass(frozen=True, slots=True, init=False)
class ParamSchema:
    """The inference params a model accepts, with their defaults."""

    params: tuple[ParamSpec, ...]
    _by_name: dict[str, ParamSpec] = field(compare=False, repr=False)

    def __init__(self, params: Iterable[ParamSpec]) -> None:
        specs = tuple(params)
        for p in specs:
            if not isinstance(p, ParamSpec):
                raise SchemaDefinitionError(f"ParamSchema entries must be ParamSpec, got {p!r}")
        by_name = {p.name: p for p in specs}
        if len(by_name) < len(specs):
            dupes = duplicates(p.name for p in specs)
            raise SchemaDefinitionError(
                f"ParamSchema has duplicate names: {describe_duplicates(dupes)}"
            )
        object.__setattr__(self, "params", specs)
        object.__setattr__(self, "_by_name", by_name)

    def __len__(self) -> int:
        return len(self.params)

    def __iter__(self) -> Iterator[ParamSpec]:
        return iter(self.params)

    def __getitem__(self, name: str) -> ParamSpec:
        return self._by_name[name]

    def to_dict(self) -> list[dict[str, Any]]:
        return [p.to_dict() for p in self.params]

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_json(cls, json_str: str | list[Any]) -> ParamSchema:
        doc = _load_json(json_str, "params")
        if not isinstance(doc, list):
            raise SerializationError(f"params are a JSON list, got {doc!r}", "params")
        parsed = []
        for i, d in enumerate(doc):
            if not isinstance(d, dict):
                raise SerializationError(f"expected a JSON object, got {d!r}", f"params[{i}]")
            parsed.append(ParamSpec.from_json_dict(d, f"params[{i}]"))
        try:
            return cls(parsed)
        except SerializationError:
            raise
        except SchemaDefinitionError as e:
            raise SerializationError(str(e), "params") from None

    def __repr__(self) -> str:
        return f"ParamSchema([{', '.join(repr(p) for p in self.params)}])"
