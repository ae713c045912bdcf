"""Findings: what the checks collect while they run, before they become :class:`Violation` s.

A check never raises for bad data. It records a finding: a stable code, the column path, the
rows it concerns (a boolean mask over the checked rows, or ``None`` for "every row") and a few
example values. :class:`Findings` merges findings with the same ``(code, path)`` by OR-ing their
masks, so a row is counted once per violation however many of its elements are bad.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from sparksig.options import MAX_EXAMPLES
from sparksig.results import Code, Violation
from sparksig.rules import type_name

__all__ = ["Findings", "merge_checks", "spec_name"]


def spec_name(spec: Any) -> str:
    """A short human name for a spec type (``long``, ``array<double>``, ``object{a, b}``...)."""
    return type_name(spec)


@dataclass
class _Entry:
    code: str
    path: str
    message: str
    mask: np.ndarray | None  # None: every checked row
    examples: list[Any] = field(default_factory=list)


class Findings:
    """Collects findings over ``n`` checked rows (a mutable accumulator used inside one check)."""

    def __init__(self, n: int, max_examples: int = MAX_EXAMPLES) -> None:
        self.n = n
        self.max_examples = max_examples
        self._entries: dict[tuple[str, str], _Entry] = {}

    def __bool__(self) -> bool:
        return bool(self._entries)

    def add(
        self,
        code: Code | str,
        path: str,
        message: str,
        rows: np.ndarray | None = None,
        examples: Iterable[Any] = (),
    ) -> None:
        """Record a finding. ``rows``: a bool mask of length n, or int row indices, or None (all)."""
        mask = None if rows is None else _as_mask(rows, self.n)
        if mask is not None and not mask.any():
            return
        key = (str(code), path)
        entry = self._entries.get(key)
        if entry is None:
            entry = self._entries[key] = _Entry(str(code), path, message, mask)
        elif entry.mask is not None:
            entry.mask = None if mask is None else entry.mask | mask
        room = self.max_examples - len(entry.examples)
        if room > 0:
            for value in examples:
                if room <= 0:
                    break
                entry.examples.append(value)
                room -= 1

    def bad_rows(self) -> np.ndarray:
        bad = np.zeros(self.n, dtype=bool)
        for entry in self._entries.values():
            if entry.mask is None:
                bad[:] = True
                break
            bad |= entry.mask
        return bad

    def masks(self) -> list[tuple[str, np.ndarray]]:
        """(``"code:path"``, mask) pairs, for per-row reasons."""
        full = np.ones(self.n, dtype=bool)
        return [
            (f"{e.code}:{e.path}", full if e.mask is None else e.mask)
            for e in self._entries.values()
        ]

    def violations(self) -> tuple[Violation, ...]:
        out = []
        for e in self._entries.values():
            count = self.n if e.mask is None else int(e.mask.sum())
            out.append(Violation(Code(e.code), e.path, count, tuple(e.examples), e.message))
        return tuple(out)


def _as_mask(rows: np.ndarray, n: int) -> np.ndarray:
    rows = np.asarray(rows)
    if rows.dtype == bool:
        return rows
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    return mask


def merge_checks(violation_lists: Iterable[Iterable[Violation]]) -> tuple[Violation, ...]:
    """Merge the violations of several batches: sum counts per ``(code, column_path)``.

    The first message is kept, examples are taken in batch order up to the most any single
    violation carried (at least :data:`~sparksig.options.MAX_EXAMPLES`).

    Examples:
        >>> a = Violation("type_mismatch", "x", 2, (1.5,), "expected long")
        >>> b = Violation("type_mismatch", "x", 3, (2.5,), "expected long")
        >>> merge_checks([[a], [b]])[0].count
        5
    """
    merged: dict[tuple[str, str], Violation] = {}
    limit = MAX_EXAMPLES
    for violations in violation_lists:
        for v in violations:
            limit = max(limit, len(v.examples))
            key = (v.code, v.column_path)
            old = merged.get(key)
            if old is None:
                merged[key] = v
                continue
            if old.count is None or v.count is None:
                count = old.count if v.count is None else v.count
            else:
                count = old.count + v.count
            examples = (old.examples + v.examples)[:limit]
            merged[key] = Violation(old.code, old.column_path, count, examples, old.message)
    return tuple(merged.values())
