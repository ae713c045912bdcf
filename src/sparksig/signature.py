"""The model signature: input schema, output schema and inference params.

Examples:
    >>> from sparksig import ColSpec, Schema
    >>> sig = ModelSignature(Schema([ColSpec("double", "x")]), Schema([ColSpec("long")]))
    >>> sig.to_dict()["outputs"]
    '[{"type": "long", "required": true}]'
    >>> ModelSignature.from_dict(sig.to_dict()) == sig
    True
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sparksig.errors import SchemaDefinitionError, SerializationError
from sparksig.schema import ParamSchema, Schema

__all__ = ["ModelSignature"]


@dataclass(frozen=True, slots=True)
class ModelSignature:
    """A typed contract for a model's inputs, outputs and inference params."""

    inputs: Schema | None = None
    outputs: Schema | None = None
    params: ParamSchema | None = None

    def __post_init__(self) -> None:
        for field, kind in (("inputs", Schema), ("outputs", Schema), ("params", ParamSchema)):
            value = getattr(self, field)
            if value is not None and not isinstance(value, kind):
                raise SchemaDefinitionError(
                    f"ModelSignature {field} must be a {kind.__name__} or None, "
                    f"got {type(value).__name__}"
                )
        if self.inputs is None and self.outputs is None and self.params is None:
            raise SchemaDefinitionError(
                "A ModelSignature needs at least one of inputs, outputs or params"
            )

    def to_dict(self) -> dict[str, str | None]:
        """MLflow's MLmodel form: each part as a JSON string, or None."""
        return {
            "inputs": self.inputs.to_json() if self.inputs else None,
            "outputs": self.outputs.to_json() if self.outputs else None,
            "params": self.params.to_json() if self.params else None,
        }

    @classmethod
    def from_dict(cls, signature_dict: dict[str, Any]) -> ModelSignature:
        """Read the MLmodel form (JSON strings, or already-parsed lists)."""
        if not isinstance(signature_dict, dict):
            raise SerializationError(
                f"a signature is a mapping with inputs/outputs/params, got {signature_dict!r}",
                "signature",
            )
        parts: dict[str, Any] = {}
        for key, reader in (
            ("inputs", Schema.from_json),
            ("outputs", Schema.from_json),
            ("params", ParamSchema.from_json),
        ):
            raw = signature_dict.get(key)
            if not raw:
                parts[key] = None
                continue
            try:
                parts[key] = reader(raw)
            except SerializationError as e:
                raise SerializationError(e.reason, f"signature.{key}{_sub(e.path)}") from None
        return cls(**parts)

    def __repr__(self) -> str:
        lines = ["ModelSignature("]
        for field in ("inputs", "outputs", "params"):
            value = getattr(self, field)
            if value is not None:
                lines.append(f"    {field}={value!r},")
        lines.append(")")
        return "\n".join(lines)


def _sub(path: str) -> str:
    if not path or path in ("schema", "params"):
        return ""
    for root in ("schema", "params"):
        if path.startswith(root):
            path = path[len(root) :]
    return path if path.startswith("[") else f".{path}"
