"""A scorecard version used by an assessment is never edited: service, admin and database refuse."""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, InternalError, transaction
from django.urls import reverse

from tests import factories
from tests.verivali.conftest import submitted
from verivali import services
from verivali.models import Assessment, ClassBand, ScorecardVersion


@pytest.fixture
def used_version(version, assignment, surveyor):
    submitted(assignment, surveyor, version)
    return version


@pytest.mark.django_db
def test_an_unused_version_can_be_edited(version):
    band = version.bands.get(welfare_class="poor")
    services.band_update(band=band, min_score=33, max_score=41)
    services.version_update(version=version, name="Berau v1 (revised)")
    assert version.bands.get(welfare_class="poor").max_score == 41


@pytest.mark.django_db
def test_editing_a_used_version_is_refused_by_the_service(used_version):
    band = used_version.bands.get(welfare_class="poor")
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.band_update(band=band, min_score=33, max_score=41)
    with pytest.raises(ValidationError, match="can no longer be edited"):
        services.indicator_update(
            indicator=used_version.indicators.first(), text="Another question"
        )
    with pytest.raises(ValidationError):
        services.version_update(version=used_version, name="Changed")
    assert used_version.bands.get(welfare_class="poor").max_score == 40


@pytest.mark.django_db
@pytest.mark.parametrize("change", ["band", "indicator", "delete_band", "version_name"])
def test_editing_a_used_version_is_refused_by_the_database(used_version, change):
    with pytest.raises((IntegrityError, InternalError)), transaction.atomic():
        if change == "band":
            ClassBand.objects.filter(version=used_version, welfare_class="poor").update(
                max_score=41
            )
        elif change == "indicator":
            used_version.indicators.filter(position=1).update(option_1="something else")
        elif change == "delete_band":
            ClassBand.objects.filter(version=used_version, welfare_class="poor").delete()
        else:
            ScorecardVersion.objects.filter(pk=used_version.pk).update(name="Renamed")
    assert used_version.bands.get(welfare_class="poor").max_score == 40


@pytest.mark.django_db
def test_copy_makes_the_next_version_with_the_same_indicators_and_bands(used_version):
    copy = services.version_copy(version=used_version)
    assert copy.number == used_version.number + 1 and not copy.is_current
    assert list(copy.indicators.values_list("code", "option_1")) == list(
        used_version.indicators.values_list("code", "option_1")
    )
    assert list(copy.bands.values_list("welfare_class", "min_score", "max_score")) == list(
        used_version.bands.values_list("welfare_class", "min_score", "max_score")
    )
    services.band_update(band=copy.bands.get(welfare_class="poor"), min_score=33, max_score=42)
    services.band_update(band=copy.bands.get(welfare_class="near_poor"), min_score=43, max_score=48)
    services.version_make_current(version=copy)
    assert ScorecardVersion.objects.get(is_current=True) == copy


@pytest.mark.django_db
def test_admin_shows_a_used_version_read_only_and_refuses_changes(client, used_version):
    admin = factories.UserFactory(username="it", is_staff=True, is_superuser=True)
    client.force_login(admin)
    url = reverse("admin:verivali_scorecardversion_change", args=[used_version.pk])
    page = client.get(url).content.decode()
    assert 'name="name"' not in page  # read-only field
    assert 'name="indicators-0-text"' not in page  # read-only inline
    client.post(url, {"name": "Changed", "notes": "x"})
    used_version.refresh_from_db()
    assert used_version.name != "Changed"


@pytest.mark.django_db
def test_admin_copy_action_makes_a_new_version(client, used_version):
    admin = factories.UserFactory(username="it", is_staff=True, is_superuser=True)
    client.force_login(admin)
    response = client.post(
        reverse("admin:verivali_scorecardversion_changelist"),
        {"action": "copy_version", "_selected_action": [used_version.pk]},
        follow=True,
    )
    assert response.status_code == 200
    copy = ScorecardVersion.objects.get(number=used_version.number + 1)
    assert copy.indicators.count() == 16
    page = client.get(
        reverse("admin:verivali_scorecardversion_change", args=[copy.pk])
    ).content.decode()
    assert 'name="indicators-0-text"' in page  # the copy is editable


@pytest.mark.django_db
def test_admin_keeps_an_approved_batch_as_the_decree_made_it(client, batch):
    from verivali.models import Batch

    Batch.objects.filter(pk=batch.pk).update(
        status="approved", decree_number="SK 1", decree_date="2026-12-01"
    )
    client.force_login(factories.UserFactory(username="it", is_staff=True, is_superuser=True))
    page = client.get(reverse("admin:verivali_batch_change", args=[batch.pk])).content.decode()
    assert 'name="code"' not in page


def _gap_options(version) -> dict[str, str]:
    return {
        code: getattr(version.indicators.get(code=code), option)
        for code, (option, _paper, _closed) in services.PAPER_GAPS.items()
    }


@pytest.mark.django_db
def test_version_2_answers_the_papers_gaps_and_version_1_stays_as_printed(paper_version, version):
    assert version.number == 2 and version.is_current and not paper_version.is_current
    assert _gap_options(paper_version) == {
        "S02": "buruh (labourer)", "S04": "> 3 orang (more than 3)", "S05": "Rp 1-1.5 juta"}
    assert _gap_options(version) == {
        "S02": "tidak bekerja/buruh (no job or labourer)", "S04": "≥ 3 orang (3 or more)",
        "S05": "Rp 1-5 juta"}
    assert list(version.indicators.values_list("code", "option_2", "option_4")) == list(
        paper_version.indicators.values_list("code", "option_2", "option_4"))
    assert list(version.bands.values_list("welfare_class", "min_score", "max_score")) == list(
        paper_version.bands.values_list("welfare_class", "min_score", "max_score"))


@pytest.mark.django_db
def test_a_survey_made_with_version_1_keeps_it_and_its_score_new_surveys_use_version_2(
    paper_version, version, assignment, surveyor, batch
):
    Assessment.objects.filter(pk=assignment.pk).update(version=paper_version)
    assignment.refresh_from_db()
    old = submitted(assignment, surveyor, paper_version, value=1)
    assert (old.version, old.score) == (paper_version, 16)
    household = factories.HouseholdFactory()
    factories.PersonFactory(household=household)
    fresh = services.batch_add_household(batch=batch, household=household)
    services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[fresh.pk])
    fresh = submitted(Assessment.objects.get(pk=fresh.pk), surveyor, version, value=1)
    old.refresh_from_db()
    assert fresh.version == version and (old.version, old.score) == (paper_version, 16)


@pytest.mark.django_db
def test_the_migration_makes_version_2_once_from_a_current_version_1(paper_version, version):
    folder = Path(importlib.import_module("verivali.migrations").__file__).parent
    name = next(folder.glob("*_scorecard_paper_gaps.py")).stem  # whatever number the merge gives it
    migration = importlib.import_module(f"verivali.migrations.{name}")
    ScorecardVersion.objects.filter(pk=version.pk).delete()
    ScorecardVersion.objects.filter(pk=paper_version.pk).update(is_current=True)
    migration.forwards(django_apps, None)
    made = ScorecardVersion.objects.get(is_current=True)
    assert made.number == 2 and _gap_options(made) == _gap_options_expected()
    paper_version.refresh_from_db()
    assert _gap_options(paper_version)["S02"] == "buruh (labourer)" and not paper_version.is_current
    migration.forwards(django_apps, None)  # the current version has no gap any more: nothing to do
    assert ScorecardVersion.objects.count() == 2


def _gap_options_expected() -> dict[str, str]:
    return {code: closed for code, (_option, _paper, closed) in services.PAPER_GAPS.items()}
