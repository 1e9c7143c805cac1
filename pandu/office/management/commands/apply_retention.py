from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from pandu.office.retention import retention_apply


class Command(BaseCommand):
    help = (
        "Delete the attachments of cases closed, and the survey photos of verivali batches decreed, "
        "longer ago than RETENTION_DAYS; the rows stay with a note. Run it daily (docs/deploy.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run", action="store_true", help="List what would be deleted, delete nothing."
        )

    def handle(self, *args, dry_run=False, verbosity=1, **options):
        try:
            report = retention_apply(dry_run=dry_run)
        except ImproperlyConfigured as error:
            raise CommandError(str(error)) from None
        verb = "would remove" if dry_run else "removed"
        if verbosity >= 1:
            for item in report.removed:
                self.stdout.write(f"{verb} {item.label} ({item.size:,} bytes)")
        self.stdout.write(report.summary)
