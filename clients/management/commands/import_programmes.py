import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from clients.programmes import programme_import
from pandu.audit import audit_record
from pandu.models import AuditEvent


class Command(BaseCommand):
    help = (
        "Import an agency's list of programme recipients (CSV or XLSX with the columns NIK, NO_KK, PROGRAM, "
        "MULAI, SELESAI, SUMBER) in one transaction. Valid rows are recorded, invalid rows go to the error "
        "report; the same file twice changes nothing. "
        "Last line: participations created=N updated=N unchanged=N; rejected=N"
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="CSV or XLSX file in the programme template")
        parser.add_argument("--source", default="", help="source for rows whose SUMBER is empty (default: file name)")
        parser.add_argument("--as-of", type=datetime.date.fromisoformat, default=None,
                            help="the date the list describes, YYYY-MM-DD (default: today)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, save nothing")
        parser.add_argument("--errors", metavar="OUT.csv", help="write rejected rows with line and reasons")

    def handle(self, *args, path, source="", as_of=None, dry_run=False, errors=None, **options):
        try:
            result = programme_import(path, source=source, as_of=as_of, dry_run=dry_run)
        except (ValidationError, FileNotFoundError) as error:
            raise CommandError(" ".join(getattr(error, "messages", [str(error)]))) from error
        if errors:
            with open(errors, "w", newline="", encoding="utf-8") as handle:
                result.write_errors(handle)
            self.stdout.write(f"error report: {errors} ({len(result.rejected)} rows)")
        else:
            for item in result.rejected[:20]:
                self.stdout.write(f"line {item.line}: " + " | ".join(item.codes))
        if dry_run:
            self.stdout.write("dry run: nothing was saved")
        if result.saved:
            audit_record(user=None, action=AuditEvent.Action.IMPORT, summary=result.summary_line(),
                         detail={"file": str(path), "source": source, "rows": result.rows,
                                 "command": "import_programmes"})
        self.stdout.write(result.summary_line())
