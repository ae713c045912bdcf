"""Reasons as ``code:path`` labels, so tests can compare them to literals readably."""

from __future__ import annotations

from typing import Any


def labels(reasons: Any) -> list[str]:
    """A ``_sparksig_reasons`` value (a list of ``Row(code, path)``, or None) as labels."""
    if reasons is None:
        return []
    return [f"{r['code']}:{r['path']}" for r in reasons]
