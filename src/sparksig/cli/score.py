"""``sparksig score DATA --model MODEL_DIR -o OUT``: batch scoring with the enforcing UDF.

The model's signature is enforced on every executor (:func:`sparksig.spark.spark_udf`); the
input table plus a prediction column is written to OUT as Parquet. Exit 1 when the data does
not satisfy the signature (the job stops; nothing half-written is kept), 2 on usage errors.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import click

from sparksig.cli.console import err_console
from sparksig.cli.inputs import (
    FORMATS,
    check_data,
    open_session,
    parse_key_values,
    read_table,
    spark_options,
)
from sparksig.cli.progress import SparkProgress
from sparksig.errors import SchemaEnforcementError

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
        except json.JSONDecodeError:
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
) -> int:
    """Score ``df`` with the model directory and write it with a prediction column.

    Returns:
        The number of rows written.
    """
    from pyspark.sql import functions as F

    from sparksig.spark.udf import spark_udf

    spark = df.sparkSession
    udf = spark_udf(spark, model, params=params, check=check, result_type=result_type)
    column = udf() if udf.input_names else udf(F.struct(*[F.col(f"`{c}`") for c in df.columns]))
    scored = df.withColumn(output_col, column)
    with SparkProgress(spark, err_console(), enabled=progress, description="score"):
        scored.write.mode("overwrite" if overwrite else "errorifexists").parquet(output)
    return spark.read.parquet(output).count()


def _enforcement_failure(error: BaseException) -> str | None:
    """The signature violation inside a Spark job failure, if that is what it was."""
    text = str(error)
    marker = "SchemaEnforcementError"
    if marker not in text:
        return None
    tail = text[text.index(marker) :].splitlines()
    lines = [tail[0]] + [line for line in tail[1:] if line.startswith("- [")]
    return "\n".join(lines)


@click.command()
@click.argument("data", required=False)
@click.option("--model", "-m", required=True, help="Model directory (sparksig or MLflow).")
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
    overwrite: bool,
    progress: bool | None,
    master: str | None,
    conf: tuple[str, ...],
) -> None:
    """Score DATA (or --table NAME) with the model in --model; write to OUTPUT.

    The model's signature is enforced inside the scoring UDF on every executor.
    """
    from sparksig.models import get_model_info

    get_model_info(model)  # a missing or broken model directory is a usage error, before Spark
    params = parse_params(param_pairs)
    if not overwrite and os.path.exists(output):
        raise click.BadParameter(
            f"{output} exists; pass --overwrite to replace it", param_hint="-o"
        )
    check_data(data, table)
    spark = open_session(master, conf)
    df = read_table(spark, data, table, input_format)
    start = time.perf_counter()
    try:
        rows = score_table(
            df, model, output, output_col, params, check, result_type, overwrite, progress
        )
    except SchemaEnforcementError as e:
        if all(v.code == "invalid_param" for v in e.violations):
            raise click.BadParameter(str(e), param_hint="--param") from None
        raise
    except Exception as e:
        failure = _enforcement_failure(e)
        if failure is None:
            raise
        click.echo(f"Error: the data does not satisfy the model's signature:\n{failure}", err=True)
        click.get_current_context().exit(1)
    err_console().print(
        f"scored {rows:,} rows in {time.perf_counter() - start:.1f} s -> {output} "
        f"(column {output_col!r})"
    )
