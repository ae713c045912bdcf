"""``sparksig infer DATA``: infer a signature's inputs from a table and write it."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from typing import Any

import click

from sparksig.cli.console import err_console, escape, out_console, signature_tree
from sparksig.cli.inputs import (
    FORMATS,
    check_data,
    open_session,
    prepare_output,
    sampling_options,
    signature_document,
    spark_options,
    write_signature,
)
from sparksig.cli.progress import SparkProgress
from sparksig.cli.tables import read_table
from sparksig.signature import ModelSignature

__all__ = ["InferOutcome", "infer", "infer_table"]


@dataclass(frozen=True)
class InferOutcome:
    """An inferred signature and how it was inferred."""

    signature: ModelSignature
    mode: str
    rows_checked: int
    rows_total: int | None
    seed: int | None
    seconds: float

    def summary(self) -> str:
        cols = len(self.signature.inputs) if self.signature.inputs else 0
        rows = f"{self.rows_checked:,}" + (
            f" of {self.rows_total:,}" if self.rows_total is not None else ""
        )
        seed = f", seed {self.seed}" if self.seed is not None else ""
        return (
            f"inferred {cols} column(s) from {rows} rows ({self.mode}{seed}) "
            f"in {self.seconds:.1f} s"
        )


def infer_table(
    df: Any,
    mode: str = "full",
    fraction: float | None = None,
    max_rows: int | None = None,
    seed: int | None = None,
    progress: bool | None = None,
) -> InferOutcome:
    """Infer the input signature of a DataFrame, with a progress bar on a terminal."""
    from sparksig.spark.infer import DEFAULT_MAX_ROWS, infer_schema_report

    start = time.perf_counter()
    with SparkProgress(
        df.sparkSession, console=err_console(), enabled=progress, description="infer"
    ):
        result = infer_schema_report(
            df, mode=mode, fraction=fraction, max_rows=max_rows or DEFAULT_MAX_ROWS, seed=seed
        )
    return InferOutcome(
        signature=ModelSignature(inputs=result.schema),
        mode=result.mode,
        rows_checked=result.rows_checked,
        rows_total=result.rows_total,
        seed=result.seed,
        seconds=time.perf_counter() - start,
    )


@click.command()
@click.argument("data", required=False)
@click.option("--table", help="Read a table from the catalog instead of a path.")
@click.option(
    "--input-format",
    type=click.Choice(FORMATS),
    help="Reader for DATA (default: from the extension; parquet for folders).",
)
@sampling_options(
    mode_help="full: every row, exact required flags; sampled: estimated from a seeded sample.",
    seed_help="Sampling seed (reported so a run can be repeated).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=True),
    help="Write the signature: *.json, *.yaml, a model directory or an MLmodel file.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tree", "json"]),
    default="tree",
    show_default=True,
    help="What to print: a readable tree, or the signature JSON.",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a tty).")
@spark_options
def infer(
    data: str | None,
    table: str | None,
    input_format: str | None,
    mode: str,
    fraction: float | None,
    max_rows: int | None,
    seed: int | None,
    output: str | None,
    fmt: str,
    progress: bool | None,
    master: str | None,
    remote: str | None,
    conf: tuple[str, ...],
    verbose: bool,
) -> None:
    """Infer a signature from DATA (Parquet, CSV, JSON or ORC path) or --table NAME.

    Types come from the table's Spark schema; whether each column (and nested field) is
    required comes from the data: every row by default, a seeded sample with --mode sampled.

    CSV rows with more or fewer fields than the header, and JSON lines that do not parse,
    are counted and reported in a warning on stderr (inference still reads them as Spark
    does). An input Spark cannot read exits 2 with one line naming it.
    """
    check_data(data, table)
    if output:
        prepare_output(output, "-o")
    spark = open_session(master, conf, remote, verbose)
    source = read_table(spark, data, table, input_format)
    if source.warning():
        click.echo(source.warning(), err=True)
    outcome = infer_table(source.df, mode, fraction, max_rows, seed, progress)
    if fmt == "json":
        click.echo(json.dumps(signature_document(outcome.signature), indent=2))
    else:
        out_console().print(signature_tree(outcome.signature, f"signature of {data or table}"))
    err = err_console()
    if output:
        err.print(f"wrote {escape(write_signature(outcome.signature, output))}")
    err.print(outcome.summary())
