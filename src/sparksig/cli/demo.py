"""``sparksig demo``: the main job on bundled sample data, in one command.

Writes two small Parquet tables of customers (a clean ``reference`` table, the training data,
and an ``incoming`` batch with planted problems), infers a signature from the reference table,
validates the incoming batch against it, and writes the HTML report and the quarantine outputs.
Then it profiles the reference table (``profile.json``) and compares the incoming batch with
the profile, printing the drift ranking. The sample data is generated (seeded, so every run is
identical) with pyarrow; no download.

Planted in ``incoming.parquet`` (1,000 rows): 23 null ``age``, 7 null ``country`` and 12 null
``address.city`` values, all required in the reference table, and a drifted ``income``
(:data:`DRIFTED`: log-normal around e^11.0 instead of the reference's e^10.5), which the drift
ranking puts first.

The demo writes only into an empty (or new) ``--out`` folder. With ``--overwrite`` it replaces
its own outputs (:data:`OUTPUTS`) from an earlier run, which it recognises by the marker file
it leaves (:data:`MARKER`); it never deletes or replaces anything else in the folder.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from typing import Any

import click
from rich.table import Table

from sparksig.cli.console import (
    err_console,
    escape,
    out_console,
    plain,
    report_table,
    signature_tree,
)
from sparksig.cli.inputs import open_session, spark_options, write_signature

__all__ = [
    "DRIFTED",
    "MARKER",
    "OUTPUTS",
    "PLANTED",
    "check_out_folder",
    "demo",
    "drift_table",
    "write_sample_tables",
]

PLANTED = {"age": 23, "country": 7, "address.city": 12}
DRIFTED = "income"
"""The column whose distribution moved between the reference and the incoming table."""
OUTPUTS = (
    "reference.parquet",
    "incoming.parquet",
    "signature.json",
    "report.html",
    "quarantine",
    "profile.json",
)
"""What the demo writes into ``--out``, and all it may replace there."""
MARKER = ".sparksig-demo"
"""The file that records which entries of ``--out`` the demo wrote."""
_QUARANTINE_ENTRIES = ("valid", "rejected", "_sparksig_quarantine.json")
_COUNTRIES = ["DE", "FR", "NL", "SE", "US", "CA", "JP", "BR"]
_CITIES = ["Berlin", "Paris", "Utrecht", "Malmö", "Austin", "Toronto", "Osaka", "Recife"]
_TAGS = ["new", "vip", "churn-risk", "newsletter", "b2b"]


def _customers(
    n: int, seed: int, first_id: int, planted: dict[str, int], income_log_mean: float = 10.5
) -> Any:
    import numpy as np
    import pyarrow as pa

    rng = np.random.default_rng(seed)
    ids = np.arange(first_id, first_id + n, dtype="int64")
    age = rng.integers(18, 90, n).astype("int32").tolist()
    country_idx = rng.integers(0, len(_COUNTRIES), n)
    country = [_COUNTRIES[i] for i in country_idx]
    income = np.round(rng.lognormal(income_log_mean, 0.5, n), 2).tolist()
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
    the :data:`PLANTED` nulls and a drifted :data:`DRIFTED` column) into ``out``; return their
    paths.

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
    pq.write_table(
        _customers(1000, seed=8, first_id=100_001, planted=PLANTED, income_log_mean=11.0),
        incoming,
    )
    return reference, incoming


def check_out_folder(out: str, overwrite: bool) -> None:
    """Refuse an ``out`` folder the demo cannot write into without touching someone's files.

    An empty or missing folder is fine. A non-empty one needs ``overwrite``, and then every
    entry named like one of the demo's :data:`OUTPUTS` must have been written by an earlier
    demo run (listed in its :data:`MARKER` file); other files are left alone.

    Raises:
        click.BadParameter: naming the folder or the file that is in the way.
    """
    if not os.path.isdir(out) or not os.listdir(out):
        return
    if not overwrite:
        raise click.BadParameter(
            f"{out} is not empty; choose a new or empty folder, or pass --overwrite to "
            "replace the outputs of an earlier demo run there (other files are kept)",
            param_hint="--out",
        )
    ours = set(_written_by_demo(out))
    in_the_way = [n for n in OUTPUTS if os.path.lexists(os.path.join(out, n)) and n not in ours]
    quarantine = os.path.join(out, "quarantine")
    if "quarantine" in ours and os.path.isdir(quarantine):
        # The quarantine pair is replaced as a whole folder: anything else in it is not ours.
        in_the_way += [
            os.path.join("quarantine", n)
            for n in sorted(os.listdir(quarantine))
            if n not in _QUARANTINE_ENTRIES
        ]
    if in_the_way:
        raise click.BadParameter(
            f"{os.path.join(out, in_the_way[0])} was not written by sparksig demo; move it "
            "away or choose another folder (--overwrite only replaces the demo's own outputs)",
            param_hint="--out",
        )


def _written_by_demo(out: str) -> list[str]:
    from sparksig.models.paths import read_regular_file

    try:  # a marker that is not a regular file (a named pipe) is not the demo's
        written = json.loads(read_regular_file(os.path.join(out, MARKER))).get("outputs", [])
    except (OSError, ValueError, AttributeError):
        return []
    return [name for name in written if name in OUTPUTS]


def _mark(out: str) -> None:
    """Record, before writing anything, that the demo's outputs in ``out`` are its own."""
    os.makedirs(out, exist_ok=True)
    marker = os.path.join(out, MARKER)
    tmp = f"{marker}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump({"written_by": "sparksig demo", "outputs": list(OUTPUTS)}, f)
        f.write("\n")
    os.replace(tmp, marker)  # replaces the marker; never opens a pipe in its place


def _drift(
    spark: Any, reference: str, incoming: Any, signature: Any, out: str, progress: bool | None
) -> tuple[str, Any]:
    """Profile the reference table's features, write ``profile.json``, and validate the
    incoming batch against the profile: its drift report, most drifted column first."""
    from pyspark.sql import functions as F

    from sparksig.cli.profile import write_profile
    from sparksig.cli.progress import SparkProgress
    from sparksig.spark.profiling import infer_profile
    from sparksig.spark.validate import validate

    train = spark.read.parquet(reference)
    features = train.select(*[F.col(c) for c in train.columns if c != "customer_id"])
    with SparkProgress(spark, err_console(), enabled=progress, description="profile"):
        trained = infer_profile(features)
        report = validate(incoming, signature, profile=trained)
    return write_profile(trained, os.path.join(out, "profile.json")), report.drift


def drift_table(report: Any) -> Table:
    """A drift report as a table, most drifted first: the figures and what flagged each."""
    table = Table(
        title=f"drift: {len(report.drifted)} of {len(report.columns)} column(s) drifted "
        "(most drifted first)",
        title_justify="left",
    )
    for name, justify in (
        ("#", "right"),
        ("column", "left"),
        ("drift", "left"),
        ("PSI", "right"),
        ("JS", "right"),
        ("L-inf", "right"),
        ("null rate change", "right"),
    ):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]

    def figure(value: float | None) -> str:
        return "" if value is None else f"{value:.3f}"

    for rank, c in enumerate(report.columns, 1):
        table.add_row(
            str(rank),
            plain(c.path),
            plain("DRIFT (" + ", ".join(c.flagged_by) + ")" if c.drifted else "ok"),
            figure(c.psi),
            figure(c.js),
            figure(c.l_infinity),
            figure(c.null_rate_change),
        )
    return table


@click.command()
@click.option(
    "--out",
    default="sparksig-demo",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Folder for the sample tables, the signature, the report and the quarantine "
    "(new or empty, unless --overwrite).",
)
@click.option(
    "--overwrite",
    is_flag=True,
    help="Replace the outputs of an earlier demo run in --out; other files there are kept.",
)
@click.option("--progress/--no-progress", default=None, help="Progress bar (default: on a tty).")
@spark_options
def demo(
    out: str,
    overwrite: bool,
    progress: bool | None,
    master: str | None,
    remote: str | None,
    conf: tuple[str, ...],
    verbose: bool,
) -> None:
    """Run the main job on bundled sample data: infer a signature, validate a table against it.

    --out must be a new or empty folder; --overwrite replaces only what an earlier demo run
    wrote there. Exit code 0 when the demo ran (the violations it finds are planted on
    purpose).
    """
    from sparksig.cli.infer import infer_table
    from sparksig.cli.validate import quarantine_table, validate_table, write_report

    check_out_folder(out, overwrite)
    console, err = out_console(), err_console()
    console.rule("1. sample data")
    _mark(out)
    reference, incoming = write_sample_tables(out)
    console.print(
        f"wrote {escape(reference)} (2,000 clean rows) and {escape(incoming)} (1,000 rows)"
    )

    console.rule("2. infer a signature from the reference table")
    spark = open_session(master, conf, remote, verbose)
    inferred = infer_table(spark.read.parquet(reference), mode="full", progress=progress)
    signature_file = os.path.join(out, "signature.json")
    write_signature(inferred.signature, signature_file)
    console.print(signature_tree(inferred.signature, f"signature of {reference}"))
    console.print(f"{inferred.summary()}; wrote {escape(signature_file)}")

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
    console.print(
        f"quarantine: {quarantine.valid_rows:,} valid rows -> {escape(quarantine.valid_path)}, "
        f"{quarantine.rejected_rows:,} rejected rows -> {escape(quarantine.rejected_path)}"
    )

    console.rule("4. compare the incoming batch with the training profile")
    profile_file, drifted = _drift(spark, reference, df, inferred.signature, out, progress)
    df.unpersist()
    console.print(
        f"profiled {escape(reference)} (customer_id left out: a key, not a feature); "
        f"wrote {escape(profile_file)}"
    )
    console.print(drift_table(drifted))
    if drifted.drifted:
        top = drifted.drifted[0]
        console.print(
            plain(f"most drifted: {top.path} ({', '.join(top.flagged_by)} over threshold)")
        )
    err.print(outcome.summary())
    console.rule("next")
    console.print(
        plain(
            "Open the HTML report:  " + html + "\n"
            "The same job, step by step:\n"
            f"  sparksig infer {reference} --mode full -o {signature_file}\n"
            f"  sparksig validate {incoming} --signature {signature_file} "
            f"--format html -o {html}\n"
            f"  sparksig validate {incoming} --signature {signature_file} "
            f"--quarantine {os.path.join(out, 'quarantine')} --overwrite --key customer_id\n"
            f"  sparksig profile {reference} --out {os.path.join(out, 'profile.json')}"
        ),
        soft_wrap=True,
    )
