"""Browser tests wait for page state in a way our Content Security Policy allows.

Playwright's `wait_for_function` evaluates its text with `eval` on every poll. The first poll
runs inside the DevTools call, which the page's CSP does not govern; later polls run from the
page's own animation frames, where `script-src 'self'` forbids `eval`. A bare expression is
evaluated again on each poll, so it fails whenever the page is not ready at the first look (a
busy machine). An arrow function is evaluated once, on the first poll, and then only called.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _waits_with_bare_expressions(source: str) -> list[int]:
    lines = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr != "wait_for_function" or not node.args:
            continue
        expression = node.args[0]
        if isinstance(expression, ast.Constant) and isinstance(expression.value, str):
            text = expression.value.lstrip()
        elif isinstance(expression, ast.JoinedStr) and isinstance(
            expression.values[0], ast.Constant
        ):
            text = str(expression.values[0].value).lstrip()
        else:
            lines.append(node.lineno)  # a name or call: cannot tell, so refuse it
            continue
        if not (text.startswith("() =>") or text.startswith("function")):
            lines.append(node.lineno)
    return lines


def test_the_check_spots_a_bare_expression() -> None:
    bare = 'page.wait_for_function("window.Chart")\npage.wait_for_function(chart)\n'
    arrow = 'page.wait_for_function("() => window.Chart")\npage.wait_for_function(f"() => {c}")\n'
    assert _waits_with_bare_expressions(bare) == [1, 2]
    assert _waits_with_bare_expressions(arrow) == []


def test_every_browser_wait_is_an_arrow_function() -> None:
    offenders = {
        str(path.relative_to(TESTS)): lines
        for path in sorted(TESTS.rglob("*.py"))
        if path.name != Path(__file__).name
        and (lines := _waits_with_bare_expressions(path.read_text()))
    }
    assert offenders == {}
