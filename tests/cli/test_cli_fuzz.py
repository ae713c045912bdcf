"""Fuzzing the command line with corrupted inputs and signatures (Hypothesis, modest budget).

Whatever the file, a command exits 0, 1 or 2, prints no traceback and raises nothing out of
click; an input that is certainly unreadable (empty, a truncated or random-bytes Parquet file)
exits 2. The data fuzz runs in the test run's one SparkSession; the signature fuzz needs no
JVM (``show`` and ``diff`` never start Spark).
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sparksig.cli.app import cli
from tests.cli.conftest import SIGNATURE
from tests.strategies import examples


def _parquet() -> bytes:
    sink = pa.BufferOutputStream()
    table = pa.table(
        {
            "id": pa.array(range(50), pa.int64()),
            "amount": [None if i % 7 == 0 else i * 0.5 for i in range(50)],
            "note": [f"n{i}" for i in range(50)],
        }
    )
    pq.write_table(table, sink)
    return sink.getvalue().to_pybytes()


BASES = {
    "parquet": _parquet(),
    "csv": b'id,amount,note\n1,1.5,a\n2,,b\n3,3.5,"c, d"\n',
    "json": b'{"id": 1, "amount": 1.5}\n{"id": 2, "amount": null, "note": "x"}\n',
}
DATA_SIGNATURE = (
    '{"inputs": [{"type": "long", "name": "id"}, {"type": "double", "name": "amount"}]}'
)


@st.composite
def corrupted_inputs(draw):
    """(format, bytes, certainly_unreadable): a valid file, damaged in one of several ways."""
    fmt = draw(st.sampled_from(sorted(BASES)))
    base = BASES[fmt]
    how = draw(st.sampled_from(["empty", "truncated", "flipped", "random", "junk prefix", "as is"]))
    if how == "empty":
        return fmt, b"", True
    if how == "truncated":
        cut = draw(st.integers(1, len(base) - 1))
        return fmt, base[:cut], fmt == "parquet"  # the footer is at the end
    if how == "flipped":
        data = bytearray(base)
        for _ in range(draw(st.integers(1, 8))):
            at = draw(st.integers(0, len(data) - 1))
            data[at] = draw(st.integers(0, 255))
        return fmt, bytes(data), False
    if how == "random":
        data = draw(st.binary(min_size=1, max_size=400))
        # Random bytes are a Parquet file only if they end in the magic number.
        return fmt, data, fmt == "parquet" and not data.endswith(b"PAR1")
    if how == "junk prefix":
        return fmt, draw(st.binary(min_size=1, max_size=40)) + base, False
    return fmt, base, False


def _assert_clean_exit(result, path):
    assert result.exit_code in (0, 1, 2), (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    assert "Traceback" not in result.output, result.output
    if result.exit_code == 2:
        lines = result.stderr.strip().splitlines()
        assert lines and lines[-1].startswith("Error: "), result.stderr


@settings(
    max_examples=examples(30),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(case=corrupted_inputs(), command=st.sampled_from(["infer", "validate"]))
def test_corrupted_input_files(spark, case, command):
    fmt, content, unreadable = case
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / f"input.{fmt}"
        data.write_bytes(content)
        signature = Path(folder) / "sig.json"
        signature.write_text(DATA_SIGNATURE)
        args = (
            ["infer", str(data)]
            if command == "infer"
            else ["validate", str(data), "-s", str(signature)]
        )
        result = runner.invoke(cli, [*args, "--no-progress"])
    _assert_clean_exit(result, data)
    if unreadable:
        assert result.exit_code == 2, result.output
        assert str(data) in result.stderr


# -- signature files -------------------------------------------------------------------------------

KEYS = (
    "inputs", "outputs", "params", "signature", "type", "name", "required", "items",
    "properties", "values", "tensor-spec", "dtype", "shape", "default",
)  # fmt: skip
TYPES = ("long", "double", "string", "array", "object", "map", "tensor", "any", "decimal", "")

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(TYPES),
    st.text(max_size=8),
)
documents = st.recursive(
    leaves,
    lambda children: st.one_of(
        st.lists(children, max_size=4),
        st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=5), children, max_size=5),
    ),
    max_leaves=25,
)


@st.composite
def mutated_signatures(draw):
    """A real signature document with one value replaced by something of the wrong kind."""
    doc = {
        "inputs": SIGNATURE.inputs.to_dict(),
        "outputs": SIGNATURE.outputs.to_dict(),
        "params": SIGNATURE.params.to_dict(),
    }
    node = doc
    while True:
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        key = draw(st.sampled_from(keys))
        child = node[key]
        if isinstance(child, (dict, list)) and child and draw(st.booleans()):
            node = child
            continue
        node[key] = draw(documents)
        return doc


def _deeply_nested(depth: int, kind: str) -> str:
    if kind == "lists":
        return "[" * depth + "]" * depth
    spec = '{"type": "long"}'
    for _ in range(depth):
        spec = '{"type": "array", "items": ' + spec + "}"
    return '{"inputs": [{"name": "a", "type": "array", "items": ' + spec + "}]}"


signature_texts = st.one_of(
    documents.map(json.dumps),
    mutated_signatures().map(json.dumps),
    st.text(max_size=200),
    st.builds(_deeply_nested, st.integers(100, 3000), st.sampled_from(["lists", "types"])),
)


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=signature_texts, as_yaml=st.booleans())
def test_random_and_corrupted_signature_files(text, as_yaml):
    runner = CliRunner()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ("sig.yaml" if as_yaml else "sig.json")
        if as_yaml:
            with contextlib.suppress(ValueError, RecursionError):  # not JSON: kept as it is
                text = yaml.safe_dump(json.loads(text))
        path.write_text(text)
        for args in (
            ["show", str(path)],
            ["show", str(path), "--format", "json"],
            ["diff", str(path), str(path)],
        ):
            result = runner.invoke(cli, args)
            _assert_clean_exit(result, path)
            if result.exit_code == 2:
                assert str(path) in result.stderr, result.stderr
