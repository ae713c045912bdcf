"""``sparksig profile DATA``: profile a table (the training data) and write ``profile.json``;
and the profile tables ``sparksig show`` prints.

The profile is read in one aggregation by ``sparksig.spark.profiling.infer_profile``
(approximate quantiles and distinct counts; exact counts, minima and maxima). ``--suggest``
adds the constraints the data satisfies (:func:`sparksig.profile.suggest`), ``--constraints
FILE`` then applies a constraints YAML file (declare, loosen, drop). ``--out`` takes a file
(``*.json``) or a model directory, where the profile is stored as ``profile.json`` beside
``MLmodel``.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import click
from rich.table import Table

from sparksig.cli.console import err_console, escape, out_console, plain
from sparksig.cli.inputs import FORMATS, check_data, open_session, prepare_output, spark_options
from sparksig.cli.tables import read_table
from sparksig.profile.model import ColumnProfile, Profile

__all__ = [
    "constraints_table",
    "profile",
    "profile_option",
    "profile_table",
    "read_profile_file",
    "write_profile",
]

_TOP_SHOWN = 3


def _number(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _top(col: ColumnProfile) -> str:
    cats = col.categories
    if cats is None or not cats.values:
        return ""
    total = cats.total or 1
    shown = [
        f"{json.dumps(v, ensure_ascii=False)} {c / total:.0%}"
        for v, c in zip(cats.values[:_TOP_SHOWN], cats.counts)
    ]
    rest = len(cats.values) - _TOP_SHOWN
    if rest > 0 or cats.other:
        shown.append(
            f"+{max(rest, 0)} more" + (f", other {cats.other / total:.0%}" if cats.other else "")
        )
    return ", ".join(shown)


def profile_table(profile: Profile, title: str = "profile") -> Table:
    """One row per path: kind, counts, missing share, distinct, range, median, top values,
    lengths. Every cell is plain text (names and values come from the data)."""
    how = "approximate quantiles and distinct counts" if profile.approximate else "exact"
    table = Table(title=f"{title}: {profile.rows:,} rows ({how})", title_justify="left")
    for name, justify in (
        ("path", "left"),
        ("kind", "left"),
        ("count", "right"),
        ("missing", "right"),
        ("distinct", "right"),
        ("min", "right"),
        ("median", "right"),
        ("max", "right"),
        ("top values", "left"),
        ("length", "right"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    for col in profile.columns:
        median = col.quantiles.value_at(0.5) if col.quantiles is not None else None
        lengths = f"{col.lengths.minimum}–{col.lengths.maximum}" if col.lengths is not None else ""
        table.add_row(
            plain(col.path),
            plain(col.kind),
            f"{col.count:,}",
            f"{col.null_count:,} ({col.null_rate:.1%})" if col.null_count else "0",
            "" if col.distinct is None else f"{col.distinct:,}",
            plain(_number(col.minimum)),
            plain(_number(median)),
            plain(_number(col.maximum)),
            plain(_top(col)),
            lengths,
        )
    return table


def constraints_table(profile: Profile) -> Table:
    """The profile's constraints: path, kind, what each allows."""
    table = Table(title=f"{len(profile.constraints)} constraint(s)", title_justify="left")
    table.add_column("path", overflow="fold")
    table.add_column("constraint")
    table.add_column("allows", overflow="fold")
    for c in profile.constraints:
        doc = c.to_dict()
        allows = ", ".join(
            f"{k} {json.dumps(v, ensure_ascii=False)}"
            for k, v in doc.items()
            if k not in ("type", "path") and v is not None
        )
        table.add_row(plain(c.path), plain(c.tag), plain(allows))
    return table


def read_profile_file(path: str) -> Profile | None:
    """The profile in ``path`` when it is a profile JSON file, else ``None`` (a signature)."""
    from sparksig.models.paths import read_regular_file

    if not path.endswith(".json") or not os.path.isfile(path):
        return None
    try:
        doc = json.loads(read_regular_file(path, text=True))
    except (ValueError, UnicodeDecodeError):
        return None  # the signature reader reports it
    if not isinstance(doc, dict) or "profile_version" not in doc:
        return None
    return _named(lambda: Profile.from_dict(doc), path)


def profile_option(path: str, hint: str = "--profile") -> Profile:
    """The profile a ``--profile`` option names: a profile JSON file (``sparksig profile
    --out FILE``), or a model directory (or its ``MLmodel``) holding ``profile.json``."""
    from sparksig.models.profiles import load_profile

    found = read_profile_file(path)
    if found is None and (os.path.isdir(path) or os.path.basename(path) == "MLmodel"):
        found = load_profile(path)
        if found is None:
            raise click.BadParameter(
                f"{path} holds no profile.json; write one with "
                f"`sparksig profile DATA --out {path}`",
                param_hint=hint,
            )
    if found is None:
        raise click.BadParameter(
            f"{path} is neither a profile JSON file (one with profile_version) nor a model "
            "directory with profile.json",
            param_hint=hint,
        )
    return found


def _named(read: Any, file: str) -> Profile:
    from sparksig.errors import SerializationError

    try:
        result: Profile = read()
    except SerializationError as e:
        raise SerializationError(f"{e.reason} (in {file})", e.path) from None
    return result


def print_profile(profile: Profile, title: str) -> None:
    console = out_console()
    console.print(profile_table(profile, title))
    if profile.constraints:
        console.print(constraints_table(profile))


def write_profile(profile: Profile, out: str) -> str:
    """Write to a ``*.json`` file, or into a model directory as ``profile.json``."""
    from sparksig.models.profiles import PROFILE_FILE, set_profile

    if os.path.isdir(out) or os.path.basename(out) == "MLmodel":
        set_profile(out, profile)
        base = out if os.path.isdir(out) else os.path.dirname(out)
        return os.path.join(base, PROFILE_FILE)
    tmp = f"{out}.tmp-{os.getpid()}"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(profile.to_json(indent=1) + "\n")
    os.replace(tmp, out)
    return out


@click.command()
@click.argument("data", required=False)
@click.option("--table", help="Read a table from the catalog instead of a path.")
@click.option(
    "--input-format",
    type=click.Choice(FORMATS),
    help="Reader for DATA (default: from the extension; parquet for folders).",
)
@click.option(
    "--out",
    "-o",
    "out",
    type=click.Path(dir_okay=True),
    help="Write the profile: a *.json file, or a model directory (as profile.json).",
)
@click.option(
    "--suggest/--no-suggest",
    default=False,
    show_default=True,
    help="Add the constraints the data satisfies (ranges, allowed values, lengths).",
)
@click.option(
    "--constraints",
    "constraints_file",
    type=click.Path(dir_okay=False),
    help="A constraints YAML file to apply (declare, loosen, drop).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="COL",
    help="A top-level column to leave out (repeatable): keys and ids, whose values are "
    "meant to differ between training and scoring and would always show as drift.",
)
@click.option(
    "--relative-error",
    type=click.FloatRange(0, 1, min_open=True),
    default=0.01,
    show_default=True,
    help="Rank error of the quantile sketches.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="What to print: a table, or the profile JSON.",
)
@spark_options
def profile(
    data: str | None,
    table: str | None,
    input_format: str | None,
    out: str | None,
    suggest: bool,
    constraints_file: str | None,
    exclude: tuple[str, ...],
    relative_error: float,
    fmt: str,
    master: str | None,
    remote: str | None,
    conf: tuple[str, ...],
    verbose: bool,
) -> None:
    """Profile DATA (Parquet, CSV, JSON or ORC path) or --table NAME: per column and nested
    path, counts, missing values, ranges, quantiles, histograms, top values and lengths.

    Store it with the model (--out MODEL_DIR) so scoring data can be checked for drift
    against it. Reading a model directory's profile never unpickles.
    """
    from sparksig.profile import apply_yaml
    from sparksig.profile import suggest as suggest_constraints

    check_data(data, table)
    if out:
        prepare_output(out, "--out")
    spark = open_session(master, conf, remote, verbose)
    source = read_table(spark, data, table, input_format)
    if source.warning():
        click.echo(source.warning(), err=True)
    from sparksig.spark.profiling import infer_profile

    names = source.df.columns
    unknown = [c for c in exclude if c not in names]
    if unknown:
        raise click.BadParameter(
            f"no column {', '.join(map(repr, unknown))} in the table; its columns: "
            f"{', '.join(map(repr, names))}",
            param_hint="--exclude",
        )
    kept = [c for c in names if c not in exclude]
    start = time.perf_counter()
    result = infer_profile(
        source.df, columns=kept if exclude else None, relative_error=relative_error
    )
    seconds = time.perf_counter() - start
    if suggest:
        result = result.with_constraints(*suggest_constraints(result))
    if constraints_file:
        result = apply_yaml(result, constraints_file)
    if fmt == "json":
        click.echo(result.to_json(indent=2))
    else:
        print_profile(result, f"profile of {data or table}")
    err = err_console()
    if out:
        err.print(f"wrote {escape(write_profile(result, out))}")
    err.print(f"profiled {len(result.columns)} path(s) of {result.rows:,} rows in {seconds:.1f} s")
