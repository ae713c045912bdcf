"""The ``sparksig`` command: a click group of thin commands, one module each.

Exit codes, the same for every command:

- ``0``: done, nothing wrong found;
- ``1``: the data (or a signature change) has problems: violations, breaking changes;
- ``2``: usage error: bad arguments, a missing path, an unreadable or malformed signature or
  model file, an input table Spark cannot read (:mod:`sparksig.cli.failures`), an output
  that cannot be written. The message says what is wrong; no traceback.

Commands import pyspark only when they run, so ``sparksig --help`` is instant.
"""

from __future__ import annotations

import sys
from typing import Any

import click

from sparksig import __version__
from sparksig.errors import SchemaEnforcementError, SparksigError

__all__ = ["EXIT_OK", "EXIT_USAGE", "EXIT_VIOLATIONS", "cli", "main"]

EXIT_OK = 0
EXIT_VIOLATIONS = 1
EXIT_USAGE = 2


class _Group(click.Group):
    """Turns sparksig's own errors, unreadable inputs and unwritable files into a one-line
    message and the documented exit code. Anything else propagates: a bug keeps its trace.
    """

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except SchemaEnforcementError as e:
            _error(e)
            ctx.exit(EXIT_VIOLATIONS)
        except SparksigError as e:
            _error(e)
            ctx.exit(EXIT_USAGE)
        except OSError as e:
            if e.filename is None:  # not about a file the user named (a socket, a pipe)
                raise
            _error(f"{e.filename}: {e.strerror or e}")
            ctx.exit(EXIT_USAGE)
        except Exception as e:
            from sparksig.cli.failures import SOURCE_KEY, read_failure

            failure = read_failure(e, ctx.meta.get(SOURCE_KEY))
            if failure is None:
                raise
            _error(failure)
            ctx.exit(EXIT_USAGE)


def _error(message: object) -> None:
    """One error line on stderr; names and values in it come from files and data, so their
    control characters are written out (an escape sequence must not reach the terminal)."""
    from sparksig.cli.console import visible

    click.echo(f"Error: {visible(message)}", err=True)


@click.group(
    cls=_Group,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="sparksig")
def cli() -> None:
    """MLflow-style model signatures for Apache Spark tables.

    \b
    Try it:  sparksig demo
    Typical: sparksig infer data.parquet -o signature.json
             sparksig validate new.parquet --signature signature.json
    Exit codes: 0 ok, 1 violations / breaking changes found, 2 usage error.
    """


def _register() -> None:
    from sparksig.cli.demo import demo
    from sparksig.cli.diff import diff
    from sparksig.cli.infer import infer
    from sparksig.cli.profile import profile
    from sparksig.cli.score import score
    from sparksig.cli.show import show
    from sparksig.cli.validate import validate

    for command in (infer, validate, show, diff, score, profile, demo):
        cli.add_command(command)
    try:  # another part of the package; optional until it is installed
        from sparksig.cli.serve import serve_command
    except ImportError:
        return
    cli.add_command(serve_command, "serve")


_register()


def main(argv: list[str] | None = None) -> None:
    """Entry point of the ``sparksig`` script."""
    cli.main(args=argv, prog_name="sparksig")


if __name__ == "__main__":
    main(sys.argv[1:])
