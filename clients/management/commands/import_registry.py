import datetime
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from clients.registry.importer import registry_import
from clients.tasks import duplicates_check_job
from pandu import jobs
from pandu.audit import audit_record
from pandu.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Import a PPLS/DTKS registry file (CSV or XLSX, one row per person, the registry template's "
        "columns) in one transaction. Valid rows are imported, invalid rows go to the error report. "
        "Last line: households created=N updated=N; persons created=N updated=N; rejected=N"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV or XLSX file in the registry template")
        parser.add_argument(
            "--source", default="", help="listing source for rows whose SUMBER is empty"
        )
        parser.add_argument(
            "--as-of", type=datetime.date.fromisoformat, default=None,
            help="the date of the file's deciles (optional DESIL column), YYYY-MM-DD (default: today)",
        )
        parser.add_argument("--dry-run", action="store_true", help="check and count, save nothing")
        parser.add_argument(
            "--strict", action="store_true", help="any rejected row imports nothing"
        )
        parser.add_argument(
            "--errors", metavar="OUT.csv", help="write rejected rows with line and reasons"
        )
        parser.add_argument(
            "--engine", choices=["fast", "rows"], default="fast",
            help="fast: COPY and set-wise SQL (default); rows: row by row through the ORM",
        )  # fmt: skip

    def handle(self, *args, path, source="", dry_run=False, strict=False, errors=None, engine="fast", as_of=None,
               **options):
        bar = None
        if self.stdout.isatty():
            from tqdm import tqdm

            bar = tqdm(unit=" rows", file=sys.stderr, desc="read")

        def progress(stage: str, done: int) -> None:
            if bar is not None:
                bar.set_description(stage)
                bar.update(done - bar.n)

        today = timezone.localdate()
        try:
            result = registry_import(
                path,
                source=source,
                dry_run=dry_run,
                strict=strict,
                engine=engine,
                progress=progress,
                today=today,
                as_of=as_of,
            )
        except (ValidationError, FileNotFoundError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        finally:
            if bar is not None:
                bar.close()
        if errors:
            with open(errors, "w", newline="", encoding="utf-8") as handle:
                result.write_errors(handle, today=today)
            self.stdout.write(f"error report: {errors} ({result.rejected_count} rows)")
        else:
            for item in result.rejected[:20]:
                self.stdout.write(
                    f"line {item.line}: " + " | ".join(result.reasons(item, today=today))
                )
            if result.rejected_count > 20:
                self.stdout.write(
                    f"… {result.rejected_count - 20} more rejected rows (use --errors OUT.csv)"
                )
        if dry_run:
            self.stdout.write("dry run: nothing was saved")
        elif strict and result.rejected:
            self.stdout.write("strict: rows were rejected, nothing was saved")
        if result.saved:
            audit_record(
                user=None, action=AuditEvent.Action.IMPORT, summary=result.summary_line(),
                detail={"file": str(path), "source": source, "rows": result.rows, "command": "import_registry"},
            )  # fmt: skip
        if result.saved:
            jobs.enqueue(duplicates_check_job)  # a worker compares the new persons with the registry
        self.stdout.write(result.summary_line())
        if strict and result.rejected and not dry_run:
            raise CommandError(
                f"--strict: {result.rejected_count} rows rejected; nothing was imported."
            )
