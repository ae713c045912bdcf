"""What changed between two signatures, and whether it breaks existing callers.

A caller of a model *sends* inputs and params and *reads* outputs, so the same edit can be
harmless on one side and breaking on the other. The rules, from the caller's point of view:

- **Inputs** (the caller's data must still be accepted): a new required column or property, an
  optional column becoming required, and a type the caller's values no longer convert to
  (narrowed, e.g. ``long -> integer``, or changed kind) are breaking. A new optional column, a
  relaxed requirement and a widened type (``integer -> long``, ``float -> double``, anything ->
  ``any``) are not. A removed named column is not breaking (extra columns are ignored when a
  schema has names), a removed property of an object is (extra properties are rejected).
- **Outputs** (the caller's reader must still understand them): a removed column or property,
  a column that may now be null, and a type that no longer fits the old one are breaking;
  new columns and narrowed types are not.
- **Params**: a removed param (callers passing it now have it ignored), a changed type or
  shape are breaking; a new param (it has a default) is not; a changed default is reported
  but not breaking.

The module is pure: it looks at two :class:`~sparksig.ModelSignature` values only.

Examples:
    >>> from sparksig import ColSpec, ModelSignature, Schema
    >>> old = ModelSignature(Schema([ColSpec("long", "a")]))
    >>> new = ModelSignature(Schema([ColSpec("long", "a"), ColSpec("double", "b")]))
    >>> d = diff_signatures(old, new)
    >>> d.breaking
    True
    >>> print(d.changes[0])
    BREAKING inputs.b: added required column (double); existing callers do not send it
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from sparksig.rules import converts, type_name
from sparksig.schema import ColSpec, ParamSchema, Schema, TensorSpec
from sparksig.signature import ModelSignature
from sparksig.types import Array, Map, Object

__all__ = ["Change", "SignatureDiff", "diff_signatures", "type_name"]


@dataclass(frozen=True)
class Change:
    """One difference between two signatures.

    Attributes:
        part: ``"inputs"``, ``"outputs"``, ``"params"`` or ``"signature"``.
        path: where, e.g. ``"inputs.features.price"``, ``"params.temperature"``.
        kind: ``"added"``, ``"removed"``, ``"type_changed"``, ``"required_changed"``,
            ``"shape_changed"``, ``"default_changed"``, ``"kind_changed"``.
        breaking: whether an existing caller can fail or misread because of it.
        message: one line for a person.
        old: the old value (type name, flag, default), when there was one.
        new: the new value, when there is one.
    """

    part: str
    path: str
    kind: str
    breaking: bool
    message: str
    old: Any = None
    new: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "part": self.part,
            "path": self.path,
            "kind": self.kind,
            "breaking": self.breaking,
            "message": self.message,
            "old": self.old,
            "new": self.new,
        }

    def __str__(self) -> str:
        flag = "BREAKING" if self.breaking else "ok"
        return f"{flag} {self.path}: {self.message}"


@dataclass(frozen=True)
class SignatureDiff:
    """Every change from an old signature to a new one."""

    changes: tuple[Change, ...] = field(default_factory=tuple)

    @property
    def breaking(self) -> bool:
        return any(c.breaking for c in self.changes)

    @property
    def breaking_changes(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.breaking)

    @property
    def identical(self) -> bool:
        return not self.changes

    def to_dict(self) -> dict[str, Any]:
        return {
            "identical": self.identical,
            "breaking": self.breaking,
            "changes": [c.to_dict() for c in self.changes],
        }

    def __str__(self) -> str:
        if self.identical:
            return "Signatures are identical."
        n = len(self.breaking_changes)
        head = f"{len(self.changes)} change(s), {n} breaking"
        return "\n".join([head, *(f"  {c}" for c in self.changes)])


def diff_signatures(old: ModelSignature, new: ModelSignature) -> SignatureDiff:
    """Compare two signatures and classify each change for existing callers.

    Args:
        old: the signature callers were written against.
        new: the candidate signature.

    Returns:
        A :class:`SignatureDiff`; ``.breaking`` is true when any change can break a caller.

    Examples:
        >>> from sparksig import ColSpec, ModelSignature, Schema
        >>> old = ModelSignature(Schema([ColSpec("integer", "a")]))
        >>> diff_signatures(old, ModelSignature(Schema([ColSpec("long", "a")]))).breaking
        False
    """
    changes = [
        *_schema_changes("inputs", old.inputs, new.inputs),
        *_schema_changes("outputs", old.outputs, new.outputs),
        *_param_changes(old.params, new.params),
    ]
    return SignatureDiff(tuple(changes))


# -- schemas -------------------------------------------------------------------------------


def _schema_changes(part: str, old: Schema | None, new: Schema | None) -> Iterator[Change]:
    is_input = part == "inputs"
    if old is None and new is None:
        return
    if old is None:
        yield Change(
            part,
            part,
            "added",
            breaking=is_input,
            message=(
                "input schema added; inputs are now enforced and may reject callers' data"
                if is_input
                else "output schema added"
            ),
        )
        return
    if new is None:
        yield Change(
            part,
            part,
            "removed",
            breaking=not is_input,
            message=(
                "input schema removed; inputs are no longer checked"
                if is_input
                else "output schema removed; callers lose the output contract"
            ),
        )
        return
    if old.is_tensor_spec() != new.is_tensor_spec():
        kinds = ("tensor-based" if s.is_tensor_spec() else "column-based" for s in (old, new))
        yield Change(
            part,
            part,
            "kind_changed",
            breaking=True,
            message="schema changed from {} to {}".format(*kinds),
        )
        return
    if old.has_input_names() and new.has_input_names():
        yield from _named_changes(part, old, new)
    else:
        yield from _positional_changes(part, old, new)


def _named_changes(part: str, old: Schema, new: Schema) -> Iterator[Change]:
    is_input = part == "inputs"
    old_specs = {s.name: s for s in old.inputs}
    new_specs = {s.name: s for s in new.inputs}
    for name, spec in new_specs.items():
        if name in old_specs:
            yield from _spec_changes(part, f"{part}.{name}", old_specs[name], spec)
            continue
        what = "tensor" if isinstance(spec, TensorSpec) else "column"
        required = spec.required
        label = f"added {'required' if required else 'optional'} {what} ({type_name(_t(spec))})"
        if is_input:
            yield Change(
                part,
                f"{part}.{name}",
                "added",
                breaking=required,
                message=label + ("; existing callers do not send it" if required else ""),
                new=type_name(_t(spec)),
            )
        else:
            yield Change(part, f"{part}.{name}", "added", False, label, new=type_name(_t(spec)))
    for name, spec in old_specs.items():
        if name in new_specs:
            continue
        what = "tensor" if isinstance(spec, TensorSpec) else "column"
        yield Change(
            part,
            f"{part}.{name}",
            "removed",
            breaking=not is_input,
            message=(
                f"removed {what}; callers may still send it and it is ignored"
                if is_input
                else f"removed {what}; callers reading it will fail"
            ),
            old=type_name(_t(spec)),
        )


def _positional_changes(part: str, old: Schema, new: Schema) -> Iterator[Change]:
    if len(old) != len(new):
        yield Change(
            part,
            part,
            "kind_changed",
            breaking=True,
            message=(
                f"unnamed schema went from {len(old)} to {len(new)} entries; "
                "positions no longer line up"
            ),
            old=len(old),
            new=len(new),
        )
        return
    if old.has_input_names() != new.has_input_names():
        yield Change(
            part,
            part,
            "kind_changed",
            breaking=True,
            message="schema switched between named and unnamed entries",
        )
    for i, (o, n) in enumerate(zip(old.inputs, new.inputs)):
        yield from _spec_changes(part, f"{part}[{i}]", o, n)


def _t(spec: ColSpec | TensorSpec) -> Any:
    return spec if isinstance(spec, TensorSpec) else spec.type


def _spec_changes(
    part: str, path: str, old: ColSpec | TensorSpec, new: ColSpec | TensorSpec
) -> Iterator[Change]:
    if isinstance(old, TensorSpec) and isinstance(new, TensorSpec):
        yield from _tensor_changes(part, path, old, new)
        return
    assert isinstance(old, ColSpec) and isinstance(new, ColSpec)
    yield from _required_change(part, path, old.required, new.required)
    yield from _type_changes(part, path, old.type, new.type)


def _required_change(part: str, path: str, old: bool, new: bool) -> Iterator[Change]:
    if old == new:
        return
    is_input = part == "inputs"
    if new:  # optional -> required
        yield Change(
            part,
            path,
            "required_changed",
            breaking=is_input,
            message=(
                "now required; callers that omit it or send nulls will be rejected"
                if is_input
                else "now always present (was optional)"
            ),
            old=False,
            new=True,
        )
    else:
        yield Change(
            part,
            path,
            "required_changed",
            breaking=not is_input,
            message=(
                "now optional (was required)"
                if is_input
                else "now optional; callers may receive nulls or miss it"
            ),
            old=True,
            new=False,
        )


def _tensor_changes(part: str, path: str, old: TensorSpec, new: TensorSpec) -> Iterator[Change]:
    if old.dtype != new.dtype:
        yield Change(
            part,
            path,
            "type_changed",
            breaking=True,
            message=f"tensor dtype changed {old.dtype} -> {new.dtype} (tensor dtypes must match)",
            old=old.dtype,
            new=new.dtype,
        )
    if old.shape == new.shape:
        return
    if part == "inputs":
        accepted, narrower = new.shape, old.shape  # the new spec must accept old-shaped data
    else:
        accepted, narrower = old.shape, new.shape  # callers must accept new-shaped output
    fits = len(accepted) == len(narrower) and all(
        a == -1 or a == b for a, b in zip(accepted, narrower)
    )
    yield Change(
        part,
        path,
        "shape_changed",
        breaking=not fits,
        message=f"tensor shape changed {list(old.shape)} -> {list(new.shape)}"
        + ("" if fits else "; previously valid tensors no longer fit"),
        old=list(old.shape),
        new=list(new.shape),
    )


# -- types -----------------------------------------------------------------------------------


def _type_changes(part: str, path: str, old: Any, new: Any) -> Iterator[Change]:
    if old == new:
        return
    if isinstance(old, Object) and isinstance(new, Object):
        yield from _object_changes(part, path, old, new)
        return
    for wrapper, child, suffix in ((Array, "dtype", "[]"), (Map, "value_type", "{}")):
        if isinstance(old, wrapper) and isinstance(new, wrapper):
            yield from _type_changes(part, path + suffix, getattr(old, child), getattr(new, child))
            return
    is_input = part == "inputs"
    src, dst = (old, new) if is_input else (new, old)
    fits = converts(src, dst)
    if fits:
        note = "widened" if is_input else "narrowed"
    else:
        note = (
            "narrowed or changed; callers' values no longer convert"
            if is_input
            else ("widened or changed; callers may not read the new values")
        )
    yield Change(
        part,
        path,
        "type_changed",
        breaking=not fits,
        message=f"type {type_name(old)} -> {type_name(new)} ({note})",
        old=type_name(old),
        new=type_name(new),
    )


def _object_changes(part: str, path: str, old: Object, new: Object) -> Iterator[Change]:
    is_input = part == "inputs"
    old_props = {p.name: p for p in old.properties}
    new_props = {p.name: p for p in new.properties}
    for name, prop in new_props.items():
        sub = f"{path}.{name}"
        if name in old_props:
            before = old_props[name]
            yield from _required_change(part, sub, before.required, prop.required)
            yield from _type_changes(part, sub, before.dtype, prop.dtype)
            continue
        required = "required" if prop.required else "optional"
        yield Change(
            part,
            sub,
            "added",
            breaking=is_input and prop.required,
            message=f"added {required} property ({type_name(prop.dtype)})"
            + ("; existing callers do not send it" if is_input and prop.required else ""),
            new=type_name(prop.dtype),
        )
    for name, prop in old_props.items():
        if name not in new_props:
            yield Change(
                part,
                f"{path}.{name}",
                "removed",
                breaking=True,
                message=(
                    "removed property; objects that still carry it are rejected"
                    if is_input
                    else "removed property; callers reading it will fail"
                ),
                old=type_name(prop.dtype),
            )


# -- params ----------------------------------------------------------------------------------


def _param_changes(old: ParamSchema | None, new: ParamSchema | None) -> Iterator[Change]:
    old_params = {p.name: p for p in (old.params if old else ())}
    new_params = {p.name: p for p in (new.params if new else ())}
    for name, p in new_params.items():
        path = f"params.{name}"
        if name not in old_params:
            yield Change(
                "params",
                path,
                "added",
                breaking=False,
                message=f"added param ({type_name(p.dtype)}, default {p.default!r})",
                new=type_name(p.dtype),
            )
            continue
        before = old_params[name]
        if before.dtype != p.dtype:
            fits = converts(before.dtype, p.dtype)
            yield Change(
                "params",
                path,
                "type_changed",
                breaking=not fits,
                message=f"type {type_name(before.dtype)} -> {type_name(p.dtype)}"
                + (" (widened)" if fits else "; values callers pass may be rejected"),
                old=type_name(before.dtype),
                new=type_name(p.dtype),
            )
        if before.shape != p.shape:
            yield Change(
                "params",
                path,
                "shape_changed",
                breaking=True,
                message=f"shape {_shape(before.shape)} -> {_shape(p.shape)}; "
                "values callers pass no longer fit",
                old=_shape(before.shape),
                new=_shape(p.shape),
            )
        if before.default != p.default and (before.dtype, before.shape) == (p.dtype, p.shape):
            yield Change(
                "params",
                path,
                "default_changed",
                breaking=False,
                message=f"default {before.default!r} -> {p.default!r} "
                "(callers relying on the default get the new value)",
                old=_plain(before.default),
                new=_plain(p.default),
            )
    for name, p in old_params.items():
        if name not in new_params:
            yield Change(
                "params",
                f"params.{name}",
                "removed",
                breaking=True,
                message="removed param; callers passing it have it ignored with a warning",
                old=type_name(p.dtype),
            )


def _shape(shape: tuple[int, ...] | None) -> str:
    return "scalar" if shape is None else str(list(shape))


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    iso = getattr(value, "isoformat", None)
    return iso() if callable(iso) else repr(value)
