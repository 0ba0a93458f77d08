"""The migration that made import reports small (community 0014): the batches stored before it
are counted (`error_count`) and cut to their first 1,000 problems. It migrates the real test
database, so it runs outside a transaction and puts every app back on its latest migration."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from community.models import ImportBatch

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("community", "0014_email_failures")]
AFTER = [("community", "0015_import_error_count")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    yield _migrate(BEFORE)
    _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def test_a_batch_stored_in_full_is_counted_and_cut_to_its_first_thousand_problems(old_apps):
    Batch = old_apps.get_model("community", "ImportBatch")
    problems = [{"row": n, "column": "kind", "problem": "Unknown kind."} for n in range(2, 4502)]
    big = Batch.objects.create(kind="outcomes", status="rejected", errors=problems)
    small = Batch.objects.create(kind="outcomes", status="rejected", errors=problems[:3])
    good = Batch.objects.create(kind="outcomes", status="imported", errors=[])

    _migrate(AFTER)

    big, small, good = (ImportBatch.objects.get(pk=b.pk) for b in (big, small, good))
    assert (big.error_count, big.errors) == (4500, problems[:1000])
    assert big.problems_summary == (
        "1,000 of 4,500 problems shown; fix these and upload the file again."
    )
    assert (small.error_count, small.errors) == (3, problems[:3])
    assert small.problems_summary == "Fix the 3 problems and upload the file again."
    assert (good.error_count, good.errors) == (0, [])
