from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from pandu.backup import backup_create


class Command(BaseCommand):
    help = "Write a consistent pg_dump of the database and the private media to a dated .tar.gz archive."

    def add_arguments(self, parser):
        parser.add_argument("--dir", default=str(Path(settings.BASE_DIR) / ".data" / "backups"),
                            help="Folder for the archive (default .data/backups).")
        parser.add_argument("--database-url", help="Back up this database instead of the app's.")
        parser.add_argument("--dry-run", action="store_true", help="Say what would be written, write nothing.")

    def handle(self, *args, dir, database_url=None, dry_run=False, **options):
        if dry_run:
            self.stdout.write(f"dry run: would write pandu-backup-<time>.tar.gz into {dir}")
            return
        archive = backup_create(directory=Path(dir), database_url=database_url)
        self.stdout.write(f"backup written: {archive} ({archive.stat().st_size:,} bytes)")
