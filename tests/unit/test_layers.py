"""Imports point downward: the engines never import the layers above them, the core nothing.

Every ``import`` in a module counts, including the lazy ones inside functions, so a
dispatcher cannot sneak back into a lower layer.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "sparksig"
CORE = ("types", "schema", "params", "signature", "errors", "results", "rules", "options", "kinds")
UPPER = ("sparksig.spark", "sparksig.models", "sparksig.cli", "sparksig.api", "sparksig.report")
HEAVY = ("numpy", "pandas", "pyarrow", "pyspark")


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(module, at_module_level) for every import statement in a file."""
    tree = ast.parse(path.read_text())
    top = {id(node) for node in tree.body}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, id(node) in top) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.append((node.module, id(node) in top))
    return out


def _modules(folder: str) -> list[Path]:
    return sorted((SRC / folder).glob("*.py"))


@pytest.mark.parametrize("path", _modules("enforce") + _modules("infer"), ids=lambda p: p.name)
def test_engines_import_no_layer_above_them(path: Path) -> None:
    upward = [m for m, _ in _imports(path) if m.startswith(UPPER)]
    assert upward == [], f"{path.relative_to(SRC)} imports {upward}"


@pytest.mark.parametrize("name", CORE)
def test_core_modules_import_only_the_core(name: str) -> None:
    path = SRC / f"{name}.py"
    imports = _imports(path)
    inside = [m for m, _ in imports if m.startswith("sparksig")]
    # sparksig.profile is core-level too (pure Python data: profiles, drift figures); a report
    # reads a drift figure back through it, lazily
    allowed = {f"sparksig.{c}" for c in CORE} | {"sparksig.profile.drift"}
    assert [m for m in inside if m not in allowed] == []
    heavy = [m for m, top in imports if top and m.split(".")[0] in HEAVY]
    assert heavy == [], f"{name}.py imports {heavy} at module level"


def test_the_rules_module_imports_no_numeric_library_at_all() -> None:
    assert [m for m, _ in _imports(SRC / "rules.py") if m.split(".")[0] in HEAVY] == []


def test_this_test_would_catch_an_upward_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("def f():\n    from sparksig.spark.validate import conform\n")
    assert [m for m, _ in _imports(bad) if m.startswith(UPPER)] == ["sparksig.spark.validate"]


def _module_graph() -> dict[str, set[str]]:
    """Module-level imports between sparksig's modules (``from pkg import mod`` counts as an
    import of ``pkg.mod`` when that is a module; imports inside functions and under
    ``if TYPE_CHECKING:`` do not run at import time and are left out)."""
    names = {}
    for path in SRC.rglob("*.py"):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        names[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in names.items():
        tree = ast.parse(path.read_text())
        edges = set()
        for node in tree.body:
            if isinstance(node, ast.Import):
                edges |= {a.name for a in node.names if a.name in names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                subs = {f"{node.module}.{a.name}" for a in node.names}
                found = subs & names.keys()
                edges |= found or ({node.module} & names.keys())
        graph[name] = edges - {name}
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycle_between_modules() -> None:
    assert _cycles(_module_graph()) == []


def test_the_cycle_check_would_catch_one() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_errors_is_the_exception_tree_with_no_runtime_imports() -> None:
    """errors.py imports nothing at run time beyond typing (the report types it names are
    only imported for type checkers, and loaded on attribute access)."""
    tree = ast.parse((SRC / "errors.py").read_text())
    modules = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            modules += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules.append(node.module)
    assert sorted(set(modules)) == ["__future__", "typing"]


# the two wings of spark/: neither reads the other, and neither reads a public verb above it
WINGS = {"check": "sparksig.spark.udf", "udf": "sparksig.spark.check"}
VERBS = tuple(
    f"sparksig.spark.{p.stem}"
    for p in (SRC / "spark").glob("*.py")
    if p.stem not in ("__init__", "convert", "session")
)


@pytest.mark.parametrize(
    "path",
    _modules("spark/check") + _modules("spark/udf"),
    ids=lambda p: p.parent.name + "/" + p.name,
)
def test_a_wing_imports_neither_the_other_wing_nor_a_verb(path: Path) -> None:
    other = WINGS[path.parent.name]
    bad = [m for m, _ in _imports(path) if m.startswith(other) or m.startswith(VERBS)]
    assert bad == [], f"{path.relative_to(SRC)} imports {bad}"


def test_the_wing_rule_sees_the_verbs() -> None:
    assert "sparksig.spark.validate" in VERBS and "sparksig.spark.score" in VERBS
    assert "sparksig.spark.convert" not in VERBS
