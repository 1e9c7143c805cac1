from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from pandu.backup import RestoreError, backup_restore


class Command(BaseCommand):
    help = "Restore a backup archive (make backup) into an EMPTY database, and its media."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="The .tar.gz written by `manage.py backup`.")
        parser.add_argument("--database-url", help="Restore into this (empty) database instead of the app's.")
        parser.add_argument("--media-root", help="Restore the media here instead of MEDIA_ROOT.")
        parser.add_argument("--wipe", action="store_true",
                            help="DROP everything in the target database first (stop the app before).")

    def handle(self, *args, archive, database_url=None, media_root=None, wipe=False, **options):
        path = Path(archive)
        if not path.is_file():
            raise CommandError(f"no such archive: {archive}")
        try:
            result = backup_restore(archive=path, database_url=database_url,
                                    media_root=Path(media_root) if media_root else None, wipe=wipe)
        except RestoreError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"restored into {result['database']}; media files={result['media_files']}")
