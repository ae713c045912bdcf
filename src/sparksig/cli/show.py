"""``sparksig show PATH``: a model directory's or signature file's signature, params, examples."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import click

from sparksig.cli.console import escape, out_console, plain, signature_tree
from sparksig.cli.inputs import load_signature, signature_document
from sparksig.errors import SerializationError

__all__ = ["model_details", "show"]

_EXAMPLE_CHARS = 2000


def model_details(path: str) -> dict[str, Any]:
    """What ``show`` prints for a model directory besides the signature (JSON-ready)."""
    from sparksig.models import get_model_info, load_input_example_params, load_serving_example
    from sparksig.models.paths import read_regular_file, resolve_inside

    info = get_model_info(path)
    details: dict[str, Any] = {
        "flavors": sorted(info.flavors),
        "model_uuid": info.model_uuid,
        "created": info.utc_time_created,
        "mlflow_version": info.mlflow_version,
        "input_example": None,
        "input_example_params": None,
        "serving_input_example": None,
    }
    if info.saved_input_example_info is not None:
        example = info.saved_input_example_info
        key = "saved_input_example_info.artifact_path"
        example_file = resolve_inside(info.path, example["artifact_path"], key)
        with _reading(example_file):
            if os.path.lexists(example_file):  # a missing example is shown as none
                details["input_example"] = json.loads(read_regular_file(example_file, key))
            details["input_example_params"] = load_input_example_params(path)
        serving_name = example.get("serving_input_path") or "serving_input_example.json"
        serving_file = str(Path(info.path) / str(serving_name))
        with _reading(serving_file):
            serving = load_serving_example(path)
            details["serving_input_example"] = json.loads(serving) if serving else None
    return details


@contextmanager
def _reading(path: str) -> Iterator[None]:
    """A saved example that is not UTF-8 JSON is a broken model file (exit 2), not a crash."""
    try:
        yield
    except SerializationError:
        raise
    except (OSError, UnicodeDecodeError, ValueError) as e:
        reason = f"{e.msg} at line {e.lineno}" if isinstance(e, json.JSONDecodeError) else e
        raise SerializationError(f"the saved example cannot be read ({reason})", path) from None


def _is_model(path: str) -> bool:
    p = Path(path)
    return (p / "MLmodel").is_file() or p.name == "MLmodel"


@click.command()
@click.argument("path")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["tree", "json"]),
    default="tree",
    show_default=True,
)
def show(path: str, fmt: str) -> None:
    """Show the signature in PATH (model directory, MLmodel, *.json or *.yaml file).

    For a model directory, also the flavors, the saved input and serving examples, and the
    training-data profile (profile.json) when it has one. A profile file
    (``sparksig profile --out FILE``) shows the profile.
    """
    from sparksig.cli.profile import print_profile, read_profile_file
    from sparksig.models.profiles import load_profile

    bare = read_profile_file(path)
    if bare is not None:
        if fmt == "json":
            click.echo(json.dumps({"profile": bare.to_dict()}, indent=2, ensure_ascii=False))
        else:
            print_profile(bare, f"profile in {path}")
        return
    signature = load_signature(path)
    details = model_details(path) if _is_model(path) else None
    model_profile = load_profile(path) if _is_model(path) else None
    if fmt == "json":
        doc: dict[str, Any] = {"signature": signature_document(signature)}
        if details is not None:
            doc["model"] = details
        if model_profile is not None:
            doc["profile"] = model_profile.to_dict()
        click.echo(json.dumps(doc, indent=2, default=str))
        return
    console = out_console()
    console.print(signature_tree(signature, f"signature of {path}"))
    if details is None:
        return
    flavors = ", ".join(str(f) for f in details["flavors"]) or "none"
    console.print(f"\n[bold]flavors[/bold]: {escape(flavors)}")
    for key in ("model_uuid", "created", "mlflow_version"):
        if details[key]:
            console.print(f"[bold]{key}[/bold]: {escape(details[key])}")
    for key, title in (
        ("input_example", "input example"),
        ("input_example_params", "input example params"),
        ("serving_input_example", "serving input example"),
    ):
        if details[key] is not None:
            text = json.dumps(details[key], default=str)
            if len(text) > _EXAMPLE_CHARS:
                text = text[: _EXAMPLE_CHARS - 1] + "…"
            console.print(f"\n[bold]{title}[/bold]")
            console.print(plain(text), soft_wrap=True)
    if details["input_example"] is None:
        console.print("\n[dim]no input example saved[/dim]")
    if model_profile is not None:
        console.print()
        print_profile(model_profile, "training-data profile")
    else:
        console.print("[dim]no training-data profile saved (sparksig profile DATA --out DIR)[/dim]")
