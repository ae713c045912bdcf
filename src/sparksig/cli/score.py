"""``sparksig score DATA --model MODEL_DIR -o OUT``: batch scoring with the enforcing UDF.

The model's signature is enforced on every executor (:func:`sparksig.spark.spark_udf`); the
input table plus a prediction column is written to OUT as Parquet. With ``--quarantine
REJECTED`` the rows are checked first (:func:`sparksig.spark.score`, natively): rows that fail
are never sent to the model and go to REJECTED with their reasons. Exit 1 when the data does
not satisfy the signature or the model fails on it, 2 on usage errors; either way one clear
error and no output: a local OUT is written to a hidden sibling folder first and moved into
place only when the job succeeded.

Loading a model directory runs its pickled Python code, as in MLflow: score only models you
trust.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from typing import Any

import click

from sparksig.cli.console import err_console, escape
from sparksig.cli.failures import (
    SOURCE_KEY,
    enforcement_failure,
    is_spark_error,
    job_failure,
    read_failure,
)
from sparksig.cli.inputs import (
    FORMATS,
    check_data,
    open_session,
    parse_key_values,
    prepare_output,
    spark_options,
)
from sparksig.cli.progress import SparkProgress
from sparksig.cli.tables import read_table
from sparksig.errors import SchemaEnforcementError
from sparksig.options import Mode, choose

__all__ = ["parse_params", "score", "score_table"]


def parse_params(pairs: tuple[str, ...]) -> dict[str, Any] | None:
    """``("k=5", "name=x", "xs=[1,2]")`` -> ``{"k": 5, "name": "x", "xs": [1, 2]}``.

    Values are read as JSON when they parse, else kept as strings; the signature's param
    rules then check and convert them.

    Examples:
        >>> parse_params(("top_k=5", "stop=[\\".\\"]", "mode=fast"))
        {'top_k': 5, 'stop': ['.'], 'mode': 'fast'}
    """
    if not pairs:
        return None
    params: dict[str, Any] = {}
    for key, raw in parse_key_values(pairs, "--param").items():
        try:
            params[key] = json.loads(raw)
        except ValueError:  # not JSON (or a number past Python's 4,300-digit int limit)
            params[key] = raw
    return params


def score_table(
    df: Any,
    model: str,
    output: str,
    output_col: str = "prediction",
    params: dict[str, Any] | None = None,
    check: str = "full",
    result_type: str | None = None,
    overwrite: bool = False,
    progress: bool | None = None,
    staged: bool = True,
    rejected_output: str | None = None,
) -> tuple[int, int]:
    """Score ``df`` with the model directory and write it with a prediction column.

    With ``rejected_output``, rows that fail the model's input check are not scored: they
    go to ``rejected_output`` with their reasons (:func:`sparksig.spark.score` with
    ``on_error="quarantine"``; every input row lands in exactly one of the two outputs).

    With ``staged`` (for local paths), each output is written to a hidden sibling that is
    moved into place only when every write succeeded (and removed when one failed), so a
    failed run leaves nothing behind and ``overwrite`` replaces an old output only with a
    complete new one. Otherwise Spark writes in place.

    Returns:
        The rows scored and the rows rejected.
    """
    from pyspark.sql import functions as F

    from sparksig.spark.score import score as score_checked
    from sparksig.spark.udf.scoring import spark_udf

    spark = df.sparkSession
    outputs = {}
    if rejected_output is None:
        udf = spark_udf(
            spark, model, params=params, check=choose(Mode, check, "check"), result_type=result_type
        )
        columns = [F.col(f"`{c.replace('`', '``')}`") for c in df.columns]
        column = udf.on(df) if udf.input_names else udf(F.struct(*columns))
        outputs[output] = df.withColumn(output_col, column)
    else:
        scored, rejected = score_checked(
            df,
            model,
            on_error="quarantine",
            output_col=output_col,
            params=params,
            result_type=result_type,
        )
        outputs[output], outputs[rejected_output] = scored, rejected
    mode = "overwrite" if overwrite else "errorifexists"
    if not staged:
        with SparkProgress(spark, err_console(), enabled=progress, description="score"):
            for path, frame in outputs.items():
                frame.write.mode(mode).parquet(path)
        return _counts(spark, output, rejected_output)
    staging = {path: _sibling(path, "tmp") for path in outputs}
    try:
        with SparkProgress(spark, err_console(), enabled=progress, description="score"):
            for path, frame in outputs.items():
                frame.write.parquet(staging[path])
        counts = _counts(spark, staging[output], staging.get(rejected_output or ""))
        for path in outputs:
            _move_into_place(staging[path], path, overwrite)
    finally:
        for folder in staging.values():
            shutil.rmtree(folder, ignore_errors=True)
    return counts


def _counts(spark: Any, scored: str, rejected: str | None) -> tuple[int, int]:
    read = spark.read.parquet
    return read(scored).count(), (read(rejected).count() if rejected else 0)


def _sibling(path: str, kind: str) -> str:
    """A hidden path next to ``path`` (Spark and Hadoop skip names that start with a dot)."""
    parent, name = os.path.split(os.path.abspath(path))
    return os.path.join(parent, f".{name}.sparksig-{kind}-{uuid.uuid4().hex[:12]}")


def _move_into_place(staging: str, output: str, overwrite: bool) -> None:
    """Rename ``staging`` to ``output``; an old output is set aside first, removed after."""
    if not os.path.lexists(output):
        os.rename(staging, output)
        return
    if not overwrite:
        raise click.BadParameter(
            f"{output} exists; pass --overwrite to replace it", param_hint="-o"
        )
    old = _sibling(output, "old")
    os.rename(output, old)
    os.rename(staging, output)
    if os.path.isdir(old) and not os.path.islink(old):
        shutil.rmtree(old)
    else:
        os.remove(old)


@click.command()
@click.argument("data", required=False)
@click.option(
    "--model",
    "-m",
    required=True,
    help="Model directory (sparksig or MLflow). Loading it runs its pickled code: trusted "
    "models only.",
)
@click.option("-o", "--output", required=True, type=click.Path(), help="Output Parquet path.")
@click.option("--table", help="Read a table from the catalog instead of a path.")
@click.option("--input-format", type=click.Choice(FORMATS), help="Reader for DATA.")
@click.option("--output-col", default="prediction", show_default=True)
@click.option(
    "--param",
    "param_pairs",
    multiple=True,
    metavar="KEY=VALUE",
    help="Inference param, repeatable; VALUE is read as JSON when it parses.",
)
@click.option(
    "--check",
    type=click.Choice(["full", "sampled"]),
    default="full",
    show_default=True,
    help="Check nested values on every row (full) or on a sample of each batch.",
)
@click.option("--result-type", help="Spark DDL type of the predictions (default: from outputs).")
@click.option(
    "--quarantine",
    "rejected_output",
    type=click.Path(),
    help="Check every row first (in Spark, no Python); rows that fail are not scored but "
    "written here with _sparksig_reasons. Exit 1 when any row was rejected.",
)
@click.option("--overwrite", is_flag=True, help="Replace OUTPUT if it exists.")
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a tty).")
@spark_options
def score(
    data: str | None,
    model: str,
    output: str,
    table: str | None,
    input_format: str | None,
    output_col: str,
    param_pairs: tuple[str, ...],
    check: str,
    result_type: str | None,
    rejected_output: str | None,
    overwrite: bool,
    progress: bool | None,
    master: str | None,
    remote: str | None,
    conf: tuple[str, ...],
    verbose: bool,
) -> None:
    """Score DATA (or --table NAME) with the model in --model; write to OUTPUT.

    The model's signature is enforced inside the scoring UDF on every executor. Exit code 0
    when scored, 1 when the data does not satisfy the signature or the model fails on it, 2
    on usage errors (an unreadable input; a CSV with rows that have more or fewer fields
    than its header is refused). A failed run leaves no OUTPUT behind.

    Loading a model directory runs its pickled Python code (as MLflow does): score only
    models you trust. Reading a signature (show, validate --signature) never does.
    """
    from sparksig.models import get_model_info

    get_model_info(model)  # a missing or broken model directory is a usage error, before Spark
    params = parse_params(param_pairs)
    for path, hint in ((output, "-o"), (rejected_output, "--quarantine")):
        if path and not overwrite and os.path.lexists(path):
            raise click.BadParameter(
                f"{path} exists; pass --overwrite to replace it", param_hint=hint
            )
    check_data(data, table)
    prepare_output(output, "-o")
    if rejected_output:
        prepare_output(rejected_output, "--quarantine")
    spark = open_session(master, conf, remote, verbose)
    source = read_table(spark, data, table, input_format)
    source.require_well_formed("score")
    staged = "://" not in output and not (remote or "").startswith("sc://")
    start = time.perf_counter()
    try:
        rows, rejected = score_table(
            source.df,
            model,
            output,
            output_col,
            params,
            check,
            result_type,
            overwrite,
            progress,
            staged,
            rejected_output,
        )
    except SchemaEnforcementError as e:
        if all(v.code == "invalid_param" for v in e.violations):
            raise click.BadParameter(str(e), param_hint="--param") from None
        raise
    except Exception as e:
        if not is_spark_error(e):
            raise
        unreadable = read_failure(e, click.get_current_context().meta.get(SOURCE_KEY))
        if unreadable is not None:
            raise unreadable from None
        _report_job_failure(e, verbose)
    err_console().print(
        f"scored {rows:,} rows in {time.perf_counter() - start:.1f} s -> {escape(output)} "
        f"(column {escape(repr(output_col))})"
        + (f"; {rejected:,} rows rejected -> {escape(rejected_output)}" if rejected_output else "")
    )
    if rejected:
        click.get_current_context().exit(1)


def _report_job_failure(error: BaseException, verbose: bool) -> None:
    """One clear error for a failed scoring job (the full Spark error with --verbose); exit 1."""
    if verbose:
        click.echo(str(error), err=True)
    violation = enforcement_failure(error)
    if violation is not None:
        click.echo(f"Error: {violation}", err=True)
    else:
        hint = "" if verbose else "; --verbose shows Spark's full error"
        click.echo(f"Error: scoring failed: {job_failure(error)}{hint}", err=True)
    click.get_current_context().exit(1)
