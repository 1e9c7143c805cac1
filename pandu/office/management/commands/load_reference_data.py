import csv
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import transaction

from clients.models import ComplaintDeadline, PMKSCategory, Region
from desks.models import Desk, Provider, Service
from pandu.accounts import role_permissions_grant
from verivali.models import ClassBand, Indicator, ScorecardVersion

DATA_DIR = Path(__file__).resolve().parents[2] / "data"


def _rows(name: str) -> list[dict[str, str]]:
    with open(DATA_DIR / name, newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split("|") if part.strip()]


class Command(BaseCommand):
    help = (
        "Load Berau's regions, PMKS categories, providers, services, desks and scorecard version 1 "
        "from the CSV files shipped in pandu/office/data, the default days of each kind of complaint "
        "(kept when changed in the admin), and give the roles their admin permissions "
        "(pandu.roles.ROLE_PERMISSIONS). Idempotent."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Report what would change, change nothing.")

    def handle(self, *args, dry_run=False, **options):
        counts: dict[str, list[int]] = {}
        with transaction.atomic():
            counts["regions"] = self._regions()
            counts["pmks"] = self._pmks()
            counts["providers"] = self._providers()
            counts["services"] = self._services()
            counts["desks"] = self._desks()
            counts["scorecard"] = self._scorecard()
            counts["complaint deadlines"] = self._complaint_deadlines()
            counts["role permissions"] = [role_permissions_grant(via="load_reference_data"), 0]
            if dry_run:
                transaction.set_rollback(True)
        summary = "; ".join(f"{name} created={c} updated={u}" for name, (c, u) in counts.items())
        self.stdout.write(("dry run, nothing saved: " if dry_run else "") + summary)

    @staticmethod
    def _upsert(model, lookup: dict, values: dict) -> tuple[int, int]:
        obj = model.objects.filter(**lookup).first()
        if obj is None:
            model.objects.create(**lookup, **values)
            return 1, 0
        changed = [field for field, value in values.items() if getattr(obj, field) != value]
        if changed:
            for field in changed:
                setattr(obj, field, values[field])
            obj.save(update_fields=changed)
            return 0, 1
        return 0, 0

    def _sum(self, results) -> list[int]:
        results = list(results)
        return [sum(r[0] for r in results), sum(r[1] for r in results)]

    def _regions(self):
        results = []
        by_code: dict[str, Region] = {}
        for row in _rows("berau_regions.csv"):  # parents come before children in the file
            parent = by_code.get(row["parent_code"]) if row["parent_code"] else None
            results.append(
                self._upsert(Region, {"code": row["code"]}, {"name": row["name"], "level": row["level"], "parent": parent})
            )
            by_code[row["code"]] = Region.objects.get(code=row["code"])
        return self._sum(results)

    def _pmks(self):
        return self._sum(
            self._upsert(
                PMKSCategory,
                {"code": row["code"]},
                {"name_id": row["name_id"], "name_en": row["name_en"], "source": row["source"]},
            )
            for row in _rows("pmks_categories.csv")
        )

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
                Provider,
                {"code": row["code"]},
                {"name": row["name"], "kind": row["kind"], "has_office_desk": row["desk_at_office"] == "yes"},
            )
            for row in _rows("providers_berau.csv")
        )

    def _services(self):
        """A service's domain and programme come from the file only while it has none: the
        administrator may change them in the admin, and that choice stays."""
        providers = {p.code: p for p in Provider.objects.all()}
        results = []
        for row in _rows("services_berau.csv"):
            results.append(
                self._upsert(
                    Service,
                    {"code": row["code"]},
                    {
                        "provider": providers[row["provider_code"]],
                        "name": row["name"],
                        "sla_days": int(row["sla_days"]),
                        "accepted_pathways": _split(row["accepted_pathways"]),
                        "quota": int(row["quota"]) if row["quota"] else None,
                        "required_documents": _split(row["required_documents"]),
                    },
                )
            )
            filled = Service.objects.filter(code=row["code"], domain="").update(domain=row["domain"])
            filled += Service.objects.filter(code=row["code"], programme="").update(programme=row["programme"])
            if filled and results[-1] == (0, 0):
                results[-1] = (0, 1)
        return self._sum(results)

    def _desks(self):
        providers = {p.code: p for p in Provider.objects.all()}
        return self._sum(
            self._upsert(
                Desk,
                {"code": row["code"]},
                {
                    "name": row["name"],
                    "kind": row["kind"],
                    "ticket_prefix": row["ticket_prefix"],
                    "provider": providers.get(row["provider_code"]),
                },
            )
            for row in _rows("desks_berau.csv")
        )

    def _scorecard(self):
        version = ScorecardVersion.objects.filter(number=1).first()
        if version is not None:
            return [0, 0]  # a version is never edited once it exists; changes make a new version
        version = ScorecardVersion.objects.create(
            number=1,
            name="Indikator kemiskinan lokal Kabupaten Berau",
            is_current=not ScorecardVersion.objects.filter(is_current=True).exists(),
        )
        created = 1
        for position, row in enumerate(_rows("poverty_indicators_berau.csv"), start=1):
            Indicator.objects.create(
                version=version,
                position=position,
                group=row["group"],
                code=row["code"],
                text=row["indicator"],
                option_1=row["score_1"],
                option_2=row["score_2"],
                option_3=row["score_3"],
                option_4=row["score_4"],
            )
            created += 1
        for row in _rows("scorecard_bands_v1.csv"):
            ClassBand.objects.create(
                version=version,
                welfare_class=row["welfare_class"],
                min_score=int(row["min_score"]),
                max_score=int(row["max_score"]),
            )
            created += 1
        return [created, 0]
