"""Dependencies point one way, ideas → community → accounts (STYLE.md): a reader learns the
apps bottom-up. The demo data and benchmarks sit above all three (and above config, which
only names the app in INSTALLED_APPS): no product module imports them. This reads every
module's imports, so a new wrong import fails here."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = {
    "accounts": {"community", "ideas", "demo"},
    "community": {"ideas", "demo"},
    "ideas": {"demo"},
    "config": {"demo"},
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_an_app_imports_nothing_from_the_apps_above_it(app):
    wrong = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & FORBIDDEN[app])
        for path in (ROOT / app).rglob("*.py")
        if _imports(path) & FORBIDDEN[app]
    }
    assert wrong == {}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _import_graph(apps: tuple[str, ...]) -> dict[str, set[str]]:
    """Module → the project modules it imports, at any depth of the file (an import inside a
    function closes a circle as surely as one at the top). `from package import name` counts
    as an import of `package.name` when that is a module, else of `package`."""
    paths = {
        _module_name(path): path
        for app in apps
        for path in (ROOT / app).rglob("*.py")
        if "migrations" not in path.parts
    }

    def known(name: str) -> str | None:
        while name and name not in paths:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for module, path in paths.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.Import):
                found |= {known(alias.name) for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in paths else known(node.module))
        graph[module] = found - {None, module}
    return graph


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    circles: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    circles.append(sorted(component))
    return circles


PRODUCT = ("accounts", "community", "ideas", "config")


def test_no_module_of_the_product_imports_itself_in_a_circle():
    assert _circles(_import_graph(PRODUCT)) == []


def test_the_circle_finder_finds_a_circle():
    graph = {"a.one": {"a.two"}, "a.two": {"a.three"}, "a.three": {"a.one"}, "a.four": {"a.one"}}
    assert _circles(graph) == [["a.one", "a.three", "a.two"]]
    assert _circles({"a.one": {"a.two"}, "a.two": set()}) == []


def test_services_never_import_tasks():
    """Tasks are the outer layer: services enqueue by task name (accounts.outbox.enqueue)."""
    graph = _import_graph(PRODUCT)
    wrong = {
        module: sorted(name for name in imported if name.endswith(".tasks"))
        for module, imported in graph.items()
        if ".services" in module and any(name.endswith(".tasks") for name in imported)
    }
    assert wrong == {}
