"""The package surface: light imports, a complete __all__, and the README's example."""

from __future__ import annotations

import pkgutil
import re
from pathlib import Path

import sparksig
from tests import spawn

ROOT = Path(__file__).resolve().parents[2]


def test_import_sparksig_does_not_import_heavy_modules():
    code = (
        "import sys, sparksig; "
        "heavy = [m for m in ('pyspark', 'pandas', 'pyarrow') if m in sys.modules]; "
        "print(','.join(heavy))"
    )
    out = spawn.python("-c", code, check=True)
    assert out.stdout.strip() == ""


def test_all_is_complete_and_resolvable():
    submodules = {m.name for m in pkgutil.iter_modules(sparksig.__path__)}
    public = {
        name
        for name in dir(sparksig)
        if not name.startswith("_") and name != "annotations" and name not in submodules
    }
    assert public ^ (set(sparksig.__all__) - {"__version__"}) == set()
    for name in sparksig.__all__:
        assert getattr(sparksig, name) is not None


def test_design_contract_names_exist():
    contract = [
        *("DataType", "Array", "Object", "Property", "Map", "AnyType", "SparkMLVector"),
        *("ColSpec", "TensorSpec", "Schema", "ParamSpec", "ParamSchema", "ModelSignature"),
        *("infer_signature", "infer_schema", "enforce_schema", "enforce_params"),
        *("SparksigError", "SchemaEnforcementError", "ValidationReport", "Violation"),
    ]
    assert set(contract) <= set(sparksig.__all__)


def _readme_blocks(tag: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"```{tag}\n(.*?)```", text, flags=re.S)


def test_readme_python_examples_run():
    blocks = [b for b in _readme_blocks("python") if "# no-test" not in b]
    assert blocks, "the README should hold at least one runnable Python example"
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {})
