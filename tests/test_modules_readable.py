"""A newcomer reads the product in small pieces: no module of accounts, community, ideas or
config over 500 lines, no function over 60, and every module says what it decides in its
docstring (docs/architecture.md). The demo app is tooling and its data tables are long by
nature, so it is not held to this."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("accounts", "community", "ideas", "config")
MODULE_LINES = 500
FUNCTION_LINES = 60


def _modules() -> list[Path]:
    return [
        path
        for app in PRODUCT
        for path in sorted((ROOT / app).rglob("*.py"))
        if "migrations" not in path.parts
    ]


def _long_functions(source: str) -> list[tuple[str, int]]:
    return [
        (node.name, node.end_lineno - node.lineno + 1)
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno - node.lineno + 1 > FUNCTION_LINES
    ]


def test_no_product_module_is_longer_than_500_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in _modules()
        if (lines := path.read_text().count("\n")) > MODULE_LINES
    }
    assert long == {}


def test_no_product_function_is_longer_than_60_lines():
    long = {
        str(path.relative_to(ROOT)): found
        for path in _modules()
        if (found := _long_functions(path.read_text()))
    }
    assert long == {}


def test_the_function_measure_counts_decorators_out_and_the_body_in():
    body = "\n".join(f"    x{i} = {i}" for i in range(FUNCTION_LINES))
    assert _long_functions(f"@decorator\ndef f():\n{body}\n") == [("f", FUNCTION_LINES + 1)]
    assert _long_functions("def g():\n    return 1\n") == []


def test_every_product_module_says_what_it_holds_in_a_docstring():
    missing = [
        str(path.relative_to(ROOT))
        for path in _modules()
        if path.read_text().strip() and ast.get_docstring(ast.parse(path.read_text())) is None
    ]
    assert missing == []
