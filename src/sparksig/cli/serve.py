"""``sparksig serve MODEL_DIR --port N``: score a model directory over HTTP.

Thin: all logic lives in :mod:`sparksig.models.server`. The click command is
:data:`serve_command`, for the ``sparksig`` command group; ``python -m sparksig.cli.serve``
runs it on its own. Exit codes: 0 after a clean shutdown, 2 for a model directory that cannot
be loaded (the message names the file and the key) or a missing ``serve`` extra.
"""

from __future__ import annotations

import sys

import click

from sparksig.models.server import DEFAULT_MAX_BODY_BYTES, DEFAULT_READ_TIMEOUT

__all__ = ["serve", "serve_command"]


def serve(
    model_dir: str,
    host: str = "127.0.0.1",
    port: int = 5000,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
    read_timeout: float = DEFAULT_READ_TIMEOUT,
) -> None:
    """Serve ``model_dir`` until interrupted; see :func:`sparksig.models.server.serve`."""
    from sparksig.models.server import serve as run

    run(model_dir, host=host, port=port, max_body_bytes=max_body_bytes, read_timeout=read_timeout)


@click.command("serve")
@click.argument("model_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=5000, show_default=True, type=int, help="Port.")
@click.option(
    "--max-body-bytes",
    default=DEFAULT_MAX_BODY_BYTES,
    show_default=True,
    type=click.IntRange(min=1),
    help="Larger request bodies are refused with 413.",
)
@click.option(
    "--read-timeout",
    default=DEFAULT_READ_TIMEOUT,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True),
    metavar="SECONDS",
    help="A request body that has not fully arrived this long after its headers is refused "
    "with 408 and the connection closed.",
)
def serve_command(
    model_dir: str, host: str, port: int, max_body_bytes: int, read_timeout: float
) -> None:
    """Serve MODEL_DIR (sparksig or MLflow) with /ping, /health, /version, /invocations.

    Loading MODEL_DIR runs the code pickled in it, as with MLflow: serve only model
    directories you trust. Every path its MLmodel file names must lie inside MODEL_DIR.

    Every response is JSON: 400 for a bad request (with the violations), 500 with a request
    id when the model fails (details in the server log, never in the response). NaN and
    infinite predictions are written as null.
    """
    from sparksig.errors import SparksigError

    try:
        serve(
            model_dir,
            host=host,
            port=port,
            max_body_bytes=max_body_bytes,
            read_timeout=read_timeout,
        )
    except ImportError as e:
        click.echo(
            f"Error: serving needs the serve extra (pip install 'sparksig[serve]'): {e}", err=True
        )
        sys.exit(2)
    except SparksigError as e:
        click.echo(f"Error: cannot serve {model_dir}: {e}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    serve_command()
