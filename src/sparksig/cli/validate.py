"""``sparksig validate DATA --signature FILE``: check a table, report, optionally quarantine.

Exit 0 when the table satisfies the signature, 1 when violations were found, 2 on usage
errors (including an unreadable signature file).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any

import click

from sparksig.cli.console import err_console, out_console, report_table
from sparksig.cli.inputs import (
    FORMATS,
    check_data,
    load_signature,
    open_session,
    read_table,
    sampling_options,
    spark_options,
)
from sparksig.cli.progress import SparkProgress
from sparksig.errors import ValidationReport
from sparksig.signature import ModelSignature

__all__ = ["QuarantineOutcome", "ValidateOutcome", "quarantine_table", "validate", "validate_table"]


@dataclass(frozen=True)
class ValidateOutcome:
    report: ValidationReport
    seconds: float

    def summary(self) -> str:
        r = self.report
        what = "sampled rows" if r.mode == "sampled" else "rows"
        verdict = "OK" if r.ok else "FAILED"
        return (
            f"{verdict}: {r.rows_checked:,} {what} checked ({r.mode}) in {self.seconds:.1f} s, "
            f"{len(r.violations)} violation(s)"
        )


@dataclass(frozen=True)
class QuarantineOutcome:
    valid_path: str
    rejected_path: str
    valid_rows: int
    rejected_rows: int


def validate_table(
    df: Any,
    signature: ModelSignature,
    mode: str = "full",
    fraction: float | None = None,
    max_rows: int | None = None,
    seed: int | None = None,
    key_columns: tuple[str, ...] = (),
    progress: bool | None = None,
) -> ValidateOutcome:
    """Run :func:`sparksig.spark.validate.validate` with a progress bar on a terminal."""
    from sparksig.spark.validate import validate as run

    start = time.perf_counter()
    with SparkProgress(df.sparkSession, err_console(), enabled=progress, description="validate"):
        report = run(df, signature, mode, fraction, max_rows, seed, key_columns=key_columns)
    return ValidateOutcome(report, time.perf_counter() - start)


def quarantine_table(
    df: Any,
    signature: ModelSignature,
    out: str,
    key_columns: tuple[str, ...] = (),
    overwrite: bool = False,
    progress: bool | None = None,
) -> QuarantineOutcome:
    """Write valid rows (cast to the signature) to ``out/valid`` and the rest to ``out/rejected``.

    Every input row lands in exactly one of the two Parquet outputs; rejected rows keep their
    original columns plus ``_sparksig_reasons`` (``code:path`` strings).
    """
    from sparksig.spark.validate import conform

    declared = set(signature.inputs.input_names()) if signature.inputs else set()
    keep = tuple(k for k in key_columns if k not in declared)
    split = conform(df, signature, on_error="quarantine", keep_columns=keep)
    assert isinstance(split, tuple)
    valid, rejected = split
    valid_path, rejected_path = os.path.join(out, "valid"), os.path.join(out, "rejected")
    mode = "overwrite" if overwrite else "errorifexists"
    with SparkProgress(df.sparkSession, err_console(), enabled=progress, description="quarantine"):
        valid.write.mode(mode).parquet(valid_path)
        rejected.write.mode(mode).parquet(rejected_path)
    read = df.sparkSession.read
    return QuarantineOutcome(
        valid_path,
        rejected_path,
        read.parquet(valid_path).count(),
        read.parquet(rejected_path).count(),
    )


def write_report(
    outcome: ValidateOutcome,
    fmt: str,
    output: str | None,
    source: str,
    signature: ModelSignature,
    signature_source: str,
) -> None:
    """Print or write the report in ``fmt`` (table, json or html)."""
    report = outcome.report
    if fmt == "table":
        text = None
    elif fmt == "json":
        text = report.to_json(indent=2)
    else:
        from sparksig.report import render_html

        text = render_html(
            report,
            source=source,
            signature=signature,
            signature_source=signature_source,
            elapsed_seconds=outcome.seconds,
        )
    if text is None:
        console = out_console()
        if report.ok:
            console.print(
                f"[green]No violations[/green] ({report.mode}, {report.rows_checked:,} rows checked)"
            )
        else:
            console.print(report_table(report))
        return
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + ("\n" if not text.endswith("\n") else ""))
        err_console().print(f"wrote {output}")
    else:
        click.echo(text)


@click.command()
@click.argument("data", required=False)
@click.option(
    "-s",
    "--signature",
    "signature_path",
    required=True,
    help="Signature file (*.json, *.yaml, MLmodel) or model directory.",
)
@click.option("--table", help="Read a table from the catalog instead of a path.")
@click.option("--input-format", type=click.Choice(FORMATS), help="Reader for DATA.")
@sampling_options(
    mode_help="full: every row, exact counts; sampled: a seeded sample, counts for the sample.",
    seed_help="Sampling seed (default 0).",
)
@click.option(
    "--key",
    "key_columns",
    multiple=True,
    help="Column identifying rows; attached to examples and kept in quarantine output.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "html"]),
    default="table",
    show_default=True,
    help="table for people, json for machines, html for a self-contained report.",
)
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option(
    "--quarantine",
    "quarantine_out",
    type=click.Path(file_okay=False),
    help="Write valid rows to OUT/valid and rejected rows (with reasons) to OUT/rejected.",
)
@click.option("--overwrite", is_flag=True, help="Replace existing quarantine outputs.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a tty).")
@spark_options
def validate(
    data: str | None,
    signature_path: str,
    table: str | None,
    input_format: str | None,
    mode: str,
    fraction: float | None,
    max_rows: int | None,
    seed: int | None,
    key_columns: tuple[str, ...],
    fmt: str,
    output: str | None,
    quarantine_out: str | None,
    overwrite: bool,
    progress: bool | None,
    master: str | None,
    conf: tuple[str, ...],
) -> None:
    """Check DATA (or --table NAME) against a signature's inputs.

    Exit code 0 when clean, 1 when violations were found, 2 on usage errors.
    """
    signature = load_signature(signature_path)  # before Spark starts: bad files fail fast
    if quarantine_out and not overwrite and os.path.exists(quarantine_out):
        raise click.BadParameter(
            f"{quarantine_out} exists; pass --overwrite to replace it", param_hint="--quarantine"
        )
    if signature.inputs is None:
        raise click.BadParameter("the signature has no inputs to check", param_hint="--signature")
    check_data(data, table)
    spark = open_session(master, conf)
    df = read_table(spark, data, table, input_format)
    if quarantine_out:
        df = df.cache()
    outcome = validate_table(df, signature, mode, fraction, max_rows, seed, key_columns, progress)
    write_report(outcome, fmt, output, data or str(table), signature, signature_path)
    err = err_console()
    if quarantine_out:
        q = quarantine_table(df, signature, quarantine_out, key_columns, overwrite, progress)
        err.print(
            f"quarantine: {q.valid_rows:,} valid rows -> {q.valid_path}, "
            f"{q.rejected_rows:,} rejected rows -> {q.rejected_path}"
        )
    err.print(outcome.summary())
    if not outcome.report.ok:
        click.get_current_context().exit(1)
