"""The Makefile's targets, as the README names them: each exists, and none leans on a variable
that nothing sets (`make bench-fanout` once ran `bench_fanout --people` with no number, after
its default was lost in an edit of the lines around it)."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MAKEFILE = (ROOT / "Makefile").read_text()
TARGETS = re.search(r"^\.PHONY: (.+)$", MAKEFILE, re.MULTILINE).group(1).split()


def _dry_run(target: str) -> subprocess.CompletedProcess:
    # The targets that need services only check the addresses' schemes before they run.
    env = {
        **os.environ,
        "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        "REDIS_URL": "redis://127.0.0.1:1/0",
    }
    return subprocess.run(
        ["make", "-n", "--warn-undefined-variables", target],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize("target", TARGETS)
def test_every_target_uses_only_variables_it_sets(target):
    run = _dry_run(target)
    assert run.returncode == 0, run.stderr
    assert "undefined variable" not in run.stderr, run.stderr


def test_the_fanout_benchmark_tells_a_hundred_thousand_people_as_the_readme_says():
    commands = _dry_run("bench-fanout").stdout
    assert "bench_fanout --people 100000" in commands, commands


def test_every_make_command_the_readme_names_is_a_target():
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"`make ([a-z][a-z-]*)", readme))
    assert named, "the README names no make command"
    assert named <= set(TARGETS), sorted(named - set(TARGETS))
