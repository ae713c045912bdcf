"""Terminal rendering with rich: signature trees, violation tables, diff tables.

Results go to stdout; progress, the closing one-line summary and errors go to stderr, so that
``sparksig validate ... --format json > report.json`` stays machine-readable.

Names and values come from files and data, so they are never read as rich markup (a column
named ``[/]`` would crash a table, ``[link=...]`` would forge a link) and never reach the
terminal as control characters (an escape sequence in a column name could rewrite the
screen): every such string goes through :func:`plain` (a ``Text``) or :func:`escape` (for
f-strings that also hold markup), both of which show control characters as ``\\x1b``.
"""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.markup import escape as _escape_markup
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from sparksig.diff import SignatureDiff, type_name
from sparksig.results import ValidationReport
from sparksig.schema import ColSpec, ParamSchema, Schema, TensorSpec
from sparksig.signature import ModelSignature
from sparksig.types import Array, Map, Object

__all__ = [
    "diff_table",
    "err_console",
    "escape",
    "out_console",
    "plain",
    "report_table",
    "signature_tree",
    "visible",
]

# C0 controls but tab and newline, DEL, and the C1 controls (CSI, OSC... as single bytes).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def visible(value: Any) -> str:
    r"""``str(value)`` with control characters written out, so none reaches the terminal.

    Examples:
        >>> print(visible("a\x1b[2Jb"))
        a\x1b[2Jb
    """
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def plain(value: Any, style: str = "") -> Text:
    """A name or value from a file or the data, shown as it is: no markup, no controls."""
    return Text(visible(value), style=style)


def escape(value: Any) -> str:
    r"""A name or value for an f-string that also holds rich markup (``[bold]...``).

    Examples:
        >>> print(escape("[/]x"))
        \[/]x
    """
    return _escape_markup(visible(value))


def out_console() -> Console:
    """stdout; wide enough that tables are not squeezed when piped."""
    return Console(highlight=False, soft_wrap=False, width=_width())


def err_console() -> Console:
    return Console(stderr=True, highlight=False, width=_width())


def _width() -> int | None:
    import shutil
    import sys

    return None if sys.stdout.isatty() else max(120, shutil.get_terminal_size().columns)


def _spec_label(name: str, spec: ColSpec | TensorSpec) -> Text:
    label = plain(name, style="bold")
    label.append(": ")
    if isinstance(spec, TensorSpec):
        label.append(type_name(spec), style="cyan")
        return label
    label.append(type_name(spec.type) if not isinstance(spec.type, Object) else "object", "cyan")
    label.append(
        "  required" if spec.required else "  optional",
        style="green" if spec.required else "yellow",
    )
    return label


def _add_type_children(node: Tree, dtype: Any) -> None:
    """Expand objects (and objects inside arrays and maps) into child nodes."""
    while isinstance(dtype, (Array, Map)):
        dtype = dtype.dtype if isinstance(dtype, Array) else dtype.value_type
    if not isinstance(dtype, Object):
        return
    for prop in dtype.properties:
        label = plain(prop.name, style="bold")
        label.append(": ")
        label.append(
            type_name(prop.dtype) if not isinstance(prop.dtype, Object) else "object", "cyan"
        )
        label.append(
            "  required" if prop.required else "  optional",
            style="green" if prop.required else "yellow",
        )
        _add_type_children(node.add(label), prop.dtype)


def _schema_node(tree: Tree, title: str, schema: Schema | None) -> None:
    if schema is None:
        tree.add(Text(f"{title}: none", style="dim"))
        return
    kind = "tensor" if schema.is_tensor_spec() else "column"
    plural = "" if len(schema) == 1 else "s"
    node = tree.add(Text(f"{title} ({len(schema)} {kind}{plural})", style="magenta bold"))
    for i, spec in enumerate(schema.inputs):
        name = str(spec.name) if spec.name is not None else f"[{i}]"
        child = node.add(_spec_label(name, spec))
        if isinstance(spec, ColSpec):
            _add_type_children(child, spec.type)


def _params_node(tree: Tree, params: ParamSchema | None) -> None:
    if params is None:
        tree.add(Text("params: none", style="dim"))
        return
    node = tree.add(Text(f"params ({len(params)})", style="magenta bold"))
    for p in params.params:
        label = plain(p.name, style="bold")
        label.append(": ")
        label.append(type_name(p.dtype), "cyan")
        if p.shape is not None:
            label.append(f" shape {list(p.shape)}")
        label.append(visible(f"  default {p.default!r}"), style="dim")
        node.add(label)


def signature_tree(signature: ModelSignature, title: str = "signature") -> Tree:
    """A readable tree of a signature: inputs, outputs and params, nested types expanded."""
    tree = Tree(plain(title, style="bold"))
    _schema_node(tree, "inputs", signature.inputs)
    _schema_node(tree, "outputs", signature.outputs)
    _params_node(tree, signature.params)
    return tree


def _short(value: Any, limit: int = 40) -> str:
    from sparksig.report.html import example_text

    text = example_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def report_table(report: ValidationReport) -> Table:
    """Violations as a table: column, code, count, examples, message."""
    scope = (
        f"{report.rows_checked:,} rows checked"
        if report.mode == "full"
        else f"{report.rows_checked:,} sampled rows checked; counts are for the sample"
    )
    table = Table(
        title=f"{len(report.violations)} violation(s) ({report.mode}: {scope})",
        title_justify="left",
        show_lines=False,
    )
    table.add_column("column", style="bold", no_wrap=True)
    table.add_column("code", style="red", no_wrap=True)
    table.add_column("count", justify="right", no_wrap=True)
    table.add_column("examples", overflow="fold", max_width=40)
    table.add_column("message", overflow="fold")
    for v in report.violations:
        table.add_row(
            plain(v.column_path),
            plain(v.code),
            "-" if v.count is None else f"{v.count:,}",
            plain(", ".join(_short(e) for e in v.examples[:3])),
            plain(v.message),
        )
    return table


def diff_table(diff: SignatureDiff) -> Table:
    """Changes as a table, breaking ones flagged in red."""
    n = len(diff.breaking_changes)
    table = Table(title=f"{len(diff.changes)} change(s), {n} breaking", title_justify="left")
    table.add_column("", no_wrap=True)
    table.add_column("where", style="bold", no_wrap=True)
    table.add_column("change", no_wrap=True)
    table.add_column("details", overflow="fold")
    for c in diff.changes:
        flag = Text("BREAKING", style="bold red") if c.breaking else Text("ok", style="green")
        table.add_row(flag, plain(c.path), plain(c.kind), plain(c.message))
    return table
