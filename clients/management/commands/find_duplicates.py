import csv

from django.core.management.base import BaseCommand

from clients.duplicates.detection import duplicates_check


class Command(BaseCommand):
    help = (
        "Check the whole registry for duplicate persons (blocking on birth dates, name keys and NIK "
        "prefixes; each pair scored as a clerk would) and store the candidates for the data officer's "
        "review. Pairs decided 'not the same person' are never proposed again. Last line: candidates=N"
    )

    def add_arguments(self, parser):
        parser.add_argument("--csv", dest="csv_path", metavar="OUT.csv", help="write the pairs: person_a,person_b,score,reasons")
        parser.add_argument("--dry-run", action="store_true", help="find and write the pairs, store nothing")

    def handle(self, *args, csv_path=None, dry_run=False, **options):
        result = duplicates_check(dry_run=dry_run)
        if csv_path:
            _write(csv_path, result.found)
            self.stdout.write(f"pairs written to {csv_path}")
        self.stdout.write(f"{result.summary_line()} seconds={result.seconds:.1f}")
        if dry_run:
            self.stdout.write("dry run: nothing was stored")
        self.stdout.write(f"candidates={len(result.found)}")


def _write(path: str, found) -> None:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["person_a", "person_b", "score", "reasons"])
        for pair in found:
            writer.writerow([pair.person_a, pair.person_b, pair.score, " ".join(pair.reasons)])
