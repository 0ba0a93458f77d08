"""Which SQL the ORM compiles during a test: the kept reads of config.sql_once are not compiled
again, so a test of one counts the compilations after its first call."""

from __future__ import annotations

from django.db.models.sql.compiler import SQLCompiler


def compiles_counted(monkeypatch) -> list:
    """The model of every query the ORM compiles from now on (until the test ends)."""
    compiled, original = [], SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self.query.model)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    return compiled
