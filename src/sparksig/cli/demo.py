"""``sparksig demo``: the main job on bundled sample data, in one command.

Writes two small Parquet tables of customers (a clean ``reference`` table and an ``incoming``
batch with planted problems), infers a signature from the reference table, validates the
incoming batch against it, and writes the HTML report and the quarantine outputs. The sample
data is generated (seeded, so every run is identical) with pyarrow; no download.

Planted in ``incoming.parquet`` (1,000 rows): 23 null ``age``, 7 null ``country`` and 12 null
``address.city`` values, all required in the reference table.
"""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import click

from sparksig.cli.console import err_console, out_console, report_table, signature_tree
from sparksig.cli.inputs import open_session, spark_options, write_signature

__all__ = ["PLANTED", "demo", "write_sample_tables"]

PLANTED = {"age": 23, "country": 7, "address.city": 12}
_COUNTRIES = ["DE", "FR", "NL", "SE", "US", "CA", "JP", "BR"]
_CITIES = ["Berlin", "Paris", "Utrecht", "Malmö", "Austin", "Toronto", "Osaka", "Recife"]
_TAGS = ["new", "vip", "churn-risk", "newsletter", "b2b"]


def _customers(n: int, seed: int, first_id: int, planted: dict[str, int]) -> Any:
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    ids = np.arange(first_id, first_id + n, dtype="int64")
    age = rng.integers(18, 90, n).astype("int32").tolist()
    country_idx = rng.integers(0, len(_COUNTRIES), n)
    country = [_COUNTRIES[i] for i in country_idx]
    income = np.round(rng.lognormal(10.5, 0.5, n), 2).tolist()
    income = [None if i % 17 == 0 else v for i, v in enumerate(income)]  # optional column
    start = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    signup = [start + dt.timedelta(minutes=int(m)) for m in rng.integers(0, 2_000_000, n)]
    tags = [
        [_TAGS[j] for j in rng.choice(len(_TAGS), size=int(k), replace=False)]
        for k in rng.integers(0, 3, n)
    ]
    address = [
        {"city": _CITIES[c], "zip": None if i % 5 == 0 else f"{10000 + i}"}
        for i, c in enumerate(country_idx)
    ]
    # Plant nulls in distinct, seeded rows so the counts are exact.
    rows = rng.permutation(n)
    at = 0
    for column, count in planted.items():
        for r in rows[at : at + count]:
            if column == "address.city":
                address[r] = {**address[r], "city": None}
            elif column == "age":
                age[r] = None
            else:
                country[r] = None
        at += count
    schema = pa.schema(
        [
            pa.field("customer_id", pa.int64()),
            pa.field("age", pa.int32()),
            pa.field("country", pa.string()),
            pa.field("income", pa.float64()),
            pa.field("signup", pa.timestamp("us", tz="UTC")),
            pa.field("tags", pa.list_(pa.string())),
            pa.field(
                "address", pa.struct([pa.field("city", pa.string()), pa.field("zip", pa.string())])
            ),
        ]
    )
    return pa.table(
        {
            "customer_id": ids,
            "age": age,
            "country": country,
            "income": income,
            "signup": signup,
            "tags": tags,
            "address": address,
        },
        schema=schema,
    )


def write_sample_tables(out: str) -> tuple[str, str]:
    """Write ``reference.parquet`` (2,000 clean rows) and ``incoming.parquet`` (1,000 rows, with
    the :data:`PLANTED` nulls) into ``out``; return their paths.

    Examples:
        >>> import tempfile
        >>> ref, new = write_sample_tables(tempfile.mkdtemp())
        >>> import pyarrow.parquet as pq
        >>> pq.read_table(new).column("age").null_count
        23
    """
    import pyarrow.parquet as pq

    os.makedirs(out, exist_ok=True)
    reference = os.path.join(out, "reference.parquet")
    incoming = os.path.join(out, "incoming.parquet")
    pq.write_table(_customers(2000, seed=7, first_id=1, planted={}), reference)
    pq.write_table(_customers(1000, seed=8, first_id=100_001, planted=PLANTED), incoming)
    return reference, incoming


@click.command()
@click.option(
    "--out",
    default="sparksig-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the sample tables, the signature, the report and the quarantine.",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a tty).")
@spark_options
def demo(out: str, progress: bool | None, master: str | None, conf: tuple[str, ...]) -> None:
    """Run the main job on bundled sample data: infer a signature, validate a table against it.

    Exit code 0 when the demo ran (the violations it finds are planted on purpose).
    """
    from sparksig.cli.infer import infer_table
    from sparksig.cli.validate import quarantine_table, validate_table, write_report

    console, err = out_console(), err_console()
    console.rule("1. sample data")
    reference, incoming = write_sample_tables(out)
    console.print(f"wrote {reference} (2,000 clean rows) and {incoming} (1,000 rows)")

    console.rule("2. infer a signature from the reference table")
    spark = open_session(master, conf)
    inferred = infer_table(spark.read.parquet(reference), mode="full", progress=progress)
    signature_file = os.path.join(out, "signature.json")
    write_signature(inferred.signature, signature_file)
    console.print(signature_tree(inferred.signature, f"signature of {reference}"))
    console.print(f"{inferred.summary()}; wrote {signature_file}")

    console.rule("3. validate the incoming batch against it")
    df = spark.read.parquet(incoming).cache()
    outcome = validate_table(
        df, inferred.signature, mode="full", key_columns=("customer_id",), progress=progress
    )
    console.print(report_table(outcome.report))
    html = os.path.join(out, "report.html")
    write_report(outcome, "html", html, incoming, inferred.signature, signature_file)
    quarantine = quarantine_table(
        df, inferred.signature, os.path.join(out, "quarantine"), ("customer_id",), True, progress
    )
    df.unpersist()
    console.print(
        f"quarantine: {quarantine.valid_rows:,} valid rows -> {quarantine.valid_path}, "
        f"{quarantine.rejected_rows:,} rejected rows -> {quarantine.rejected_path}"
    )
    err.print(outcome.summary())
    console.rule("next")
    console.print(
        "Open the HTML report:  " + html + "\n"
        "The same job, step by step:\n"
        f"  sparksig infer {reference} --mode full -o {signature_file}\n"
        f"  sparksig validate {incoming} --signature {signature_file} "
        f"--format html -o {html}\n"
        f"  sparksig validate {incoming} --signature {signature_file} "
        f"--quarantine {os.path.join(out, 'quarantine')} --overwrite --key customer_id",
        soft_wrap=True,
    )
