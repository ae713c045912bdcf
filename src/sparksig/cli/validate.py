"""``sparksig validate DATA --signature FILE``: check a table, report, optionally quarantine.

Exit 0 when the table satisfies the signature, 1 when violations were found, 2 on usage
errors (including an unreadable signature file).
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from typing import Any, Literal

import click

from sparksig.cli.console import err_console, escape, out_console, report_table
from sparksig.cli.inputs import (
    FORMATS,
    check_data,
    load_signature,
    open_session,
    prepare_output,
    sampling_options,
    spark_options,
)
from sparksig.cli.profile import profile_option
from sparksig.cli.progress import SparkProgress
from sparksig.cli.tables import read_table
from sparksig.options import Engine, Mode, OutputFormat, Sampling, choose
from sparksig.profile import Profile
from sparksig.results import ValidationReport
from sparksig.signature import ModelSignature

__all__ = ["QuarantineOutcome", "ValidateOutcome", "quarantine_table", "validate", "validate_table"]


@dataclass(frozen=True)
class ValidateOutcome:
    report: ValidationReport
    seconds: float

    def summary(self) -> str:
        r = self.report
        what = "sampled rows" if r.mode == "sampled" else "rows"
        verdict = "OK" if r.ok else "INCONCLUSIVE" if r.inconclusive else "FAILED"
        answered = "" if r.answered_summary is None else f"; {r.answered_summary}"
        return (
            f"{verdict}: {r.rows_checked:,} {what} checked ({r.mode}) in {self.seconds:.1f} s, "
            f"{len(r.violations)} violation(s){answered}"
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
    *,
    engine: str = "auto",
    sampling: str = "rows",
    finite_only: bool = False,
    profile: Profile | None = None,
) -> ValidateOutcome:
    """Run :func:`sparksig.spark.validate.validate` with a progress bar on a terminal."""
    from sparksig.spark.validate import validate as run

    start = time.perf_counter()
    with SparkProgress(df.sparkSession, err_console(), enabled=progress, description="validate"):
        report = run(
            df,
            signature,
            mode=choose(Mode, mode, "mode"),
            fraction=fraction,
            max_rows=max_rows,
            seed=seed,
            key_columns=key_columns,
            engine=choose(Engine, engine, "engine"),
            sampling=choose(Sampling, sampling, "sampling"),
            finite_only=finite_only,
            profile=profile,
        )
    return ValidateOutcome(report, time.perf_counter() - start)


def quarantine_table(
    df: Any,
    signature: ModelSignature,
    out: str,
    key_columns: tuple[str, ...] = (),
    overwrite: bool = False,
    progress: bool | None = None,
    profile: Profile | None = None,
) -> QuarantineOutcome:
    """Write valid rows (cast to the signature) to ``out/valid`` and the rest to ``out/rejected``.

    :func:`sparksig.spark.write_quarantine` computes every row's reasons once and swaps the
    pair into place only when both halves are complete: every input row lands in exactly one
    output, and a crash leaves the previous pair (or none) readable, never half of each.
    Rejected rows keep their original columns plus ``_sparksig_reasons``. With a
    ``profile``, rows that break one of its row-level constraints are rejected too.
    """
    from sparksig.spark.quarantine import write_quarantine

    declared = set(signature.inputs.input_names()) if signature.inputs else set()
    keep = tuple(k for k in key_columns if k not in declared)
    mode: Literal["overwrite", "error"] = "overwrite" if overwrite else "error"
    with SparkProgress(df.sparkSession, err_console(), enabled=progress, description="quarantine"):
        result = write_quarantine(
            df, signature, out, if_exists=mode, key_columns=keep, profile=profile
        )
    return QuarantineOutcome(
        result.valid_path, result.rejected_path, result.valid_rows, result.rejected_rows
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
    fmt = choose(OutputFormat, fmt, "format")
    report = outcome.report
    if fmt is OutputFormat.TABLE:
        text = None
    elif fmt is OutputFormat.JSON:
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
        elif report.inconclusive:
            console.print(
                "[yellow]Inconclusive[/yellow]: the sample held no rows; raise --fraction or "
                "--max-rows, or use --mode full"
            )
        else:
            console.print(report_table(report))
        return
    if output:
        with open(output, "w", encoding="utf-8") as f:
            f.write(text + ("\n" if not text.endswith("\n") else ""))
        err_console().print(f"wrote {escape(output)}")
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
@click.option(
    "--profile",
    "profile_path",
    help="Training-data profile: a profile JSON file (sparksig profile --out) or a model "
    "directory with profile.json. Its constraints (out_of_range, not_in_domain, too_long) and "
    "drift are checked in the same pass; --quarantine rejects rows that break a constraint.",
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
    type=click.Choice([f.value for f in OutputFormat]),
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
@click.option(
    "--sampling",
    type=click.Choice([c.value for c in Sampling]),
    default=Sampling.ROWS.value,
    show_default=True,
    help="With --mode sampled: rows (a seeded row sample; reads every row) or files (a seeded "
    "subset of the input files; reads fewer, a clustered sample). With --mode full: metadata "
    "(exact: Parquet footers answer the checks their statistics prove, a scan counts the rest).",
)
@click.option(
    "--engine",
    type=click.Choice([c.value for c in Engine]),
    default=Engine.AUTO.value,
    show_default=True,
    help="native: checks as Spark expressions, one job, no Python; arrow: the reference "
    "engine in Python workers. auto = native.",
)
@click.option(
    "--finite-only", is_flag=True, help="Treat NaN and infinities in float columns as violations."
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a tty).")
@spark_options
def validate(
    data: str | None,
    signature_path: str,
    profile_path: str | None,
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
    sampling: str,
    engine: str,
    finite_only: bool,
    progress: bool | None,
    master: str | None,
    remote: str | None,
    conf: tuple[str, ...],
    verbose: bool,
) -> None:
    """Check DATA (or --table NAME) against a signature's inputs.

    Exit code 0 when clean, 1 when violations were found (or a sample checked no rows), 2 on
    usage errors: among them an input Spark cannot read, and a CSV with rows that have more
    or fewer fields than its header (or JSON lines that do not parse), which validate refuses
    with their count and examples rather than check rows Spark did not read as written.
    """
    signature = load_signature(signature_path)  # before Spark starts: bad files fail fast
    profile = profile_option(profile_path) if profile_path else None
    if quarantine_out and not overwrite and os.path.exists(quarantine_out):
        raise click.BadParameter(
            f"{quarantine_out} exists; pass --overwrite to replace it", param_hint="--quarantine"
        )
    if signature.inputs is None:
        raise click.BadParameter("the signature has no inputs to check", param_hint="--signature")
    if output:  # a folder that cannot be made fails now, not after the Spark job
        prepare_output(output, "-o")
    if quarantine_out:
        prepare_output(quarantine_out, "--quarantine")
    check_data(data, table)
    spark = open_session(master, conf, remote, verbose)
    source = read_table(spark, data, table, input_format)
    source.require_well_formed("validate")
    df = source.df
    outcome = validate_table(
        df,
        signature,
        mode,
        fraction,
        max_rows,
        seed,
        key_columns,
        progress,
        engine=engine,
        sampling=sampling,
        finite_only=finite_only,
        profile=profile,
    )
    write_report(outcome, fmt, output, data or str(table), signature, signature_path)
    err = err_console()
    if quarantine_out:
        q = quarantine_table(
            df, signature, quarantine_out, key_columns, overwrite, progress, profile=profile
        )
        err.print(
            f"quarantine: {q.valid_rows:,} valid rows -> {escape(q.valid_path)}, "
            f"{q.rejected_rows:,} rejected rows -> {escape(q.rejected_path)}"
        )
    err.print(outcome.summary())
    if not outcome.report.ok:
        click.get_current_context().exit(1)
