"""Record the bad times of the ideas declined and the pilots that fell short before bad times
were recorded (ideas.services.robustness.bad_times_backfill). Safe to run again: it adds only
what is missing."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from ideas.services.robustness import bad_times_backfill


class Command(BaseCommand):
    help = "Record the bad times of declined ideas and pilots that fell short (idempotent)."

    def handle(self, *args, **options):
        ideas, pilots = bad_times_backfill()
        self.stdout.write(
            f"Added {ideas} bad times of declined ideas and {pilots} of pilots that fell short."
        )
