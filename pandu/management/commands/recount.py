"""Compare the dashboard's counters with a full count of the registry, or rebuild them.

    python manage.py recount --check   # exit 1 and list the cells that differ
    python manage.py recount           # rebuild them from the rows
"""

from django.core.management.base import BaseCommand

from pandu.counters import differences, recount


class Command(BaseCommand):
    help = "Check or rebuild the counters that the dashboard and home pages read."

    def add_arguments(self, parser):
        parser.add_argument("--check", action="store_true", help="only compare; exit 1 when a counter is wrong")

    def handle(self, *args, check: bool = False, **options):
        if not check:
            recount()
        wrong = differences()
        for line in wrong:
            self.stderr.write(line)
        if wrong:
            self.stderr.write(f"{len(wrong)} counter cells differ from a full count; run `manage.py recount`.")
            raise SystemExit(1)
        self.stdout.write("The registry, PMKS and referral counters are exact.")
