"""The previous call shapes of the public verbs, accepted for one release with a warning.

Every Spark verb is now ``verb(df, signature, *, ...)``: options are keyword-only, the
schema argument is ``signature`` everywhere (a :class:`~sparksig.Schema` or a
:class:`~sparksig.ModelSignature`), extra columns are ``key_columns`` everywhere and a
writer's if-exists policy is ``if_exists``. Calls in the old shape (options passed by
position, ``schema_or_signature=``, ``keep_columns=``, ``write_quarantine(mode=...)``) keep
working until sparksig 0.3 and emit a :class:`DeprecationWarning` that names the new spelling.

Examples:
    >>> import warnings
    >>> @legacy_call(keep=1, positional=("b",), renamed={"old": "b"})
    ... def f(a, *, b=0):
    ...     return a + b
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     f(1, 2), f(1, old=3), f(1, b=4)
    (3, 4, 5)
    >>> [str(w.message).split(":")[0] for w in caught]
    ['passing b by position to f() is deprecated', 'f(old=...) is deprecated']
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = ["REMOVAL", "CallShapeDeprecationWarning", "legacy_call"]

REMOVAL = "0.3"
F = TypeVar("F", bound=Callable[..., Any])


class CallShapeDeprecationWarning(DeprecationWarning):
    """A call in a shape that stops working in sparksig 0.3 (its message names the new one).

    A class of its own so that a test suite can make exactly these warnings errors
    (``filterwarnings = ["error::sparksig.legacy.CallShapeDeprecationWarning"]``), as
    sparksig's own does.
    """


def legacy_call(
    *,
    keep: int,
    positional: tuple[str, ...] = (),
    renamed: Mapping[str, str] | None = None,
) -> Callable[[F], F]:
    """Accept ``fn``'s previous shape: arguments after the first ``keep`` passed by position
    (named, in their old order, by ``positional``) and keywords renamed (``old -> new``)."""
    renames = dict(renamed or {})

    def decorate(fn: F) -> F:
        name = fn.__name__

        @functools.wraps(fn)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if len(args) > keep:
                extra = args[keep:]
                if len(extra) > len(positional):
                    raise TypeError(
                        f"{name}() takes {keep} positional arguments but {len(args)} were given"
                    )
                names = positional[: len(extra)]
                _warn(
                    f"passing {', '.join(names)} by position to {name}() is deprecated: pass "
                    f"{', '.join(f'{renames.get(n, n)}=...' for n in names)} (keyword-only "
                    f"from sparksig {REMOVAL})"
                )
                for old, value in zip(names, extra):
                    if old in kwargs or renames.get(old, old) in kwargs:
                        raise TypeError(f"{name}() got multiple values for argument {old!r}")
                    kwargs[renames.get(old, old)] = value
                args = args[:keep]
            for old, new in renames.items():
                if old in kwargs:
                    if new in kwargs:
                        raise TypeError(f"{name}() got both {old}= and {new}=: pass {new}= only")
                    _warn(
                        f"{name}({old}=...) is deprecated: pass {new}=... (removed in "
                        f"sparksig {REMOVAL})"
                    )
                    kwargs[new] = kwargs.pop(old)
            return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorate


def _warn(message: str) -> None:
    # stacklevel 3: the caller of the public verb, past this helper and the wrapper
    warnings.warn(message, CallShapeDeprecationWarning, stacklevel=3)
