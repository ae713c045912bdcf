"""Constraints YAML files: read (declare and drop), apply to a profile, and write.

The form is described in :mod:`sparksig.profile.constraints`. Files are read through the model
directory's guards: :func:`sparksig.models.paths.open_regular_file` (never a pipe or device)
and :func:`sparksig.models.mlmodel.load_yaml` (``yaml.safe_load`` plus the alias-bomb guard),
the one lazy import of this package from a layer above, so both YAML readers share one set of
guards. Every fault is a :class:`~sparksig.errors.SerializationError` naming the place
(``constraints.constraints[2].n``).

Examples:
    >>> from sparksig.profile.constraints import Range
    >>> loads_yaml(dump_yaml([Range("age", 0, 120)])).declare
    (Range(path='age', minimum=0, maximum=120),)
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sparksig.errors import SerializationError
from sparksig.profile.constraints import _KINDS, Constraint, constraint_from_dict
from sparksig.profile.document import Doc, fail

if TYPE_CHECKING:
    from sparksig.profile.model import Profile

__all__ = [
    "ConstraintFile",
    "apply_yaml",
    "dump_yaml",
    "load_yaml",
    "loads_yaml",
    "parse_constraint_file",
]


@dataclass(frozen=True, slots=True)
class ConstraintFile:
    """A constraints YAML file read: what it declares and what it drops.

    ``drop`` holds ``(path, tag)`` pairs, ``tag`` ``None`` for every kind on the path.
    """

    declare: tuple[Constraint, ...] = ()
    drop: tuple[tuple[str, str | None], ...] = ()

    def apply(self, profile: Profile) -> Profile:
        """Drop first, then declare (so a file can replace a constraint in one go)."""
        for path, tag in self.drop:
            profile = profile.without(path, tag)
        return profile.with_constraints(*self.declare)


def _drop_rule(value: Any, path: str) -> tuple[str, str | None]:
    if isinstance(value, str) and value:
        return (value, None)
    doc = Doc(value, path)
    tag = doc.string("type", optional=True)
    if tag is not None and tag not in _KINDS:
        raise fail(
            doc.at("type"), f"unknown constraint type {tag!r}; expected one of {sorted(_KINDS)}"
        )
    return (doc.string("path"), tag)


def parse_constraint_file(doc_value: Any, where: str) -> ConstraintFile:
    """A constraints document (already parsed) as a :class:`ConstraintFile`."""
    if doc_value is None:
        return ConstraintFile()
    doc = Doc(doc_value, where)
    unknown = sorted(str(k) for k in doc.data if k not in ("constraints", "drop"))
    if unknown:
        raise SerializationError(
            f"unknown keys {unknown}; a constraints file has 'constraints' and 'drop'", where
        )
    declare = doc.items("constraints", constraint_from_dict, optional=True) or ()
    drop = doc.items("drop", _drop_rule, optional=True) or ()
    return ConstraintFile(tuple(declare), tuple(drop))


def load_yaml(path: str | os.PathLike[str]) -> ConstraintFile:
    """Read a constraints YAML file (see the module docstring for its form).

    The file is opened through :func:`sparksig.models.paths.open_regular_file` (never a pipe
    or device) and parsed with the model directory's loader (``yaml.safe_load`` with the
    alias-bomb guard of :func:`sparksig.models.mlmodel.load_yaml`): the one lazy import of
    this package from a layer above, so both YAML readers keep one set of guards.
    """
    from sparksig.models.paths import open_regular_file

    where = os.fspath(path)
    try:
        with open_regular_file(where, text=True) as f:
            return loads_yaml(f.read(), where)
    except UnicodeDecodeError as e:
        raise SerializationError(f"not valid UTF-8 text ({e.reason})", where) from None


def loads_yaml(text: str, where: str = "constraints") -> ConstraintFile:
    """Parse a constraints YAML document given as text; faults name ``where`` and the path.

    Examples:
        >>> loads_yaml("drop: [age]").drop
        (('age', None),)
    """
    import yaml

    from sparksig.models.mlmodel import load_yaml as safe_load

    try:
        doc = safe_load(text, where, where)
    except yaml.YAMLError as e:
        raise SerializationError(f"not valid YAML ({e})", where) from None
    except (ValueError, RecursionError) as e:  # a 5,000-digit number, absurd nesting
        raise SerializationError(f"cannot be read ({e})", where) from None
    return parse_constraint_file(doc, where)


def apply_yaml(profile: Profile, path: str | os.PathLike[str]) -> Profile:
    """The profile with a constraints file applied: ``load_yaml(path).apply(profile)``."""
    return load_yaml(path).apply(profile)


def dump_yaml(constraints: Iterable[Constraint]) -> str:
    """A constraints YAML document declaring ``constraints`` (e.g. :func:`suggest`'s, to edit).

    Examples:
        >>> from sparksig.profile.constraints import Range
        >>> print(dump_yaml([Range("age", 0, 120)]), end="")
        constraints:
        - maximum: 120
          minimum: 0
          path: age
          type: range
    """
    import yaml

    doc = {"constraints": [c.to_dict() for c in constraints]}
    text = str(yaml.safe_dump(doc, allow_unicode=True, default_flow_style=False))
    if yaml.safe_load(text) != doc:
        # PyYAML writes some characters raw that its reader then folds (U+0085 NEL reads
        # back as a space): escape everything outside ASCII instead, which round-trips.
        text = str(yaml.safe_dump(doc, allow_unicode=False, default_flow_style=False))
    return text
