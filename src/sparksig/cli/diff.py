"""``sparksig diff OLD NEW``: what changed between two signatures, and what breaks callers.

Exit 0 when no change breaks existing callers, 1 when one does, 2 on usage errors. The rules
live in :mod:`sparksig.diff`.
"""

from __future__ import annotations

import json

import click

from sparksig.cli.console import diff_table, out_console
from sparksig.cli.inputs import load_signature
from sparksig.diff import diff_signatures

__all__ = ["diff"]


@click.command()
@click.argument("old")
@click.argument("new")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
def diff(old: str, new: str, fmt: str) -> None:
    """Compare signature OLD with NEW (files or model directories).

    Exit code 1 when a change breaks existing callers (e.g. a new required input, a narrowed
    input type, a removed output), 0 otherwise.
    """
    result = diff_signatures(load_signature(old), load_signature(new))
    if fmt == "json":
        click.echo(json.dumps(result.to_dict(), indent=2))
    elif result.identical:
        out_console().print("Signatures are identical.")
    else:
        out_console().print(diff_table(result))
    if result.breaking:
        click.get_current_context().exit(1)
