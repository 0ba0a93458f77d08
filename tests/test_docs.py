"""docs/architecture.md stays true: every file it names exists, and every function it names is
defined where it says (a move or a rename that forgets the map fails here). The files that
docs/product.md and the README name exist too."""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAP = (ROOT / "docs" / "architecture.md").read_text()
APPS = ("accounts/", "community/", "ideas/", "config/", "demo/", "tests/", "templates/", "docs/")

# `app/…/module.py` optionally followed by `name`, `name`: the functions named in that file.
_ROOTS = "|".join(APPS)
FILE_AND_NAMES = re.compile(rf"`((?:{_ROOTS})[\w/]+\.(?:py|html|md))`((?:,? `\w+`)*)")
# `package.module.name`: a dotted reference to a function, class or constant.
DOTTED = re.compile(r"`((?:accounts|community|ideas|config)(?:\.\w+)+)`")


def _defined(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _files_and_names() -> list[tuple[str, list[str]]]:
    return [(path, re.findall(r"`(\w+)`", names)) for path, names in FILE_AND_NAMES.findall(MAP)]


def test_the_map_names_files():
    assert len(_files_and_names()) > 30
    assert len(DOTTED.findall(MAP)) > 5


@pytest.mark.parametrize(("path", "names"), _files_and_names(), ids=lambda v: str(v))
def test_every_file_the_map_names_exists_with_the_functions_it_names(path, names):
    assert (ROOT / path).exists(), path
    if names:
        assert set(names) <= _defined(ROOT / path)


@pytest.mark.parametrize("reference", sorted(set(DOTTED.findall(MAP))))
def test_every_dotted_name_the_map_uses_can_be_imported(reference):
    module, _, name = reference.rpartition(".")
    try:
        target = importlib.import_module(reference)
    except ModuleNotFoundError:
        target = getattr(importlib.import_module(module), name, None)
    assert target is not None, reference


@pytest.mark.parametrize("doc", ["docs/product.md", "README.md"])
def test_every_file_the_product_page_and_the_readme_name_exists(doc):
    text = (ROOT / doc).read_text()
    named = {path for path, _ in FILE_AND_NAMES.findall(text)}
    assert named
    assert {path for path in named if not (ROOT / path).exists()} == set()
