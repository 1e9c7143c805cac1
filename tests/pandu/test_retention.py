"""Retention: attachments of closed cases and photos of decreed verivali batches are deleted
after RETENTION_DAYS; open work, recent work and persons' photos keep theirs."""

from __future__ import annotations

import datetime
import io
import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from clients.services import person_set_photo
from desks.models import Service
from pandu.models import AuditEvent
from pandu.office.retention import retention_apply
from referrals import services as referral_services
from referrals.models import ReferralAttachment
from tests import factories
from tests.verivali.conftest import png_upload, submitted
from verivali import services as verivali_services
from verivali.models import AssessmentPhoto, Batch, ScorecardVersion

DAYS = 730
NOW = timezone.now()
LONG_AGO = NOW - datetime.timedelta(days=DAYS + 70)
LATELY = NOW - datetime.timedelta(days=10)


def _pdf(name="ktp.pdf"):
    return SimpleUploadedFile(name, b"%PDF-1.4\n%scan of a KTP\n" + b"0" * 500, content_type="application/pdf")


def _case_with_attachments(person, front_desk, officer, *, closed_at=None, services=("DINKES-BEROBAT",)):
    """A case whose referrals each carry a PDF and a photo; closed (rejected) at ``closed_at``."""
    case = referral_services.case_open(
        person=person,
        pathway="listed",
        decided_by=front_desk,
        services=[Service.objects.get(code=code) for code in services],
        at=(closed_at or NOW) - datetime.timedelta(days=5),
    )
    for referral in case.referrals.all():
        referral_services.referral_attach(referral=referral, upload=_pdf(), actor=front_desk)
        referral_services.referral_attach(referral=referral, upload=png_upload("kk.png"), actor=front_desk)
        if closed_at is not None:
            referral_services.referral_transition(
                referral=referral, action="reject", actor=officer, note="Bukan warga Berau.", at=closed_at
            )
    return case


def _files(queryset) -> list[str]:
    paths = []
    for row in queryset:
        for name in ("file", "image", "thumbnail"):
            fieldfile = getattr(row, name, None)
            if fieldfile:
                paths.append(fieldfile.path)
    return paths


@pytest.fixture
def world(reference_data, front_desk, alice, head):
    """Old closed case, recently closed case, open case, a case closed on one referral only;
    a batch decreed long ago, one decreed lately, one still in the field; a person's photo."""
    household = factories.HouseholdFactory(registry_status="listed")
    person = factories.PersonFactory(household=household)
    person = person_set_photo(person=person, upload=png_upload("face.png"), changed_by=front_desk)
    old = _case_with_attachments(person, front_desk, alice, closed_at=LONG_AGO)
    recent = _case_with_attachments(person, front_desk, alice, closed_at=LATELY)
    still_open = _case_with_attachments(person, front_desk, alice)
    half = _case_with_attachments(person, front_desk, alice, services=("DINKES-BEROBAT", "DINKES-PBI"))
    first = half.referrals.order_by("pk").first()
    referral_services.referral_transition(
        referral=first, action="cancel", actor=front_desk, note="Sudah dilayani.", at=LONG_AGO
    )

    surveyor = factories.user_with_role("surveyor", username="andi")
    validator = factories.user_with_role("validator", username="sri")
    version = ScorecardVersion.objects.get(is_current=True)

    def batch(code, approved_at):
        batch = verivali_services.batch_create(
            name=f"Verivali {code}", code=code, period_start=datetime.date(2023, 1, 1),
            period_end=datetime.date(2023, 3, 31), kecamatan=[household.village.parent], created_by=validator,
        )
        member = factories.HouseholdFactory(registry_status="in_verification")
        factories.PersonFactory(household=member)
        assessment = verivali_services.batch_add_household(batch=batch, household=member)
        verivali_services.assignments_assign(batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk])
        assessment.refresh_from_db()
        submitted(assessment, surveyor, version)
        if approved_at is not None:
            verivali_services.assessment_validate(assessment=assessment, validator=validator)
            verivali_services.batch_approve(
                batch=batch, head=head, decree_number=f"SK {code}", decree_date=approved_at.date()
            )
            Batch.objects.filter(pk=batch.pk).update(approved_at=approved_at)
        return batch

    return {
        "person": person,
        "old": old,
        "recent": recent,
        "open": still_open,
        "half": half,
        "old_batch": batch("VV-OLD", LONG_AGO),
        "recent_batch": batch("VV-RECENT", LATELY),
        "field_batch": batch("VV-FIELD", None),
    }


def _attachments(case):
    return ReferralAttachment.objects.filter(referral__case=case)


def _photos(batch):
    return AssessmentPhoto.objects.filter(assessment__batch=batch)


@pytest.mark.django_db
def test_dry_run_lists_what_is_due_and_changes_nothing(world):
    kept = _files(ReferralAttachment.objects.all()) + _files(AssessmentPhoto.objects.all())
    report = retention_apply(days=DAYS, dry_run=True)
    assert len(report.of("attachment")) == 2 and len(report.of("photo")) == 1
    due = _files(_attachments(world["old"])) + _files(_photos(world["old_batch"]))
    assert report.size == sum(os.path.getsize(path) for path in due) > 0
    assert all(os.path.exists(path) for path in kept)
    assert not ReferralAttachment.objects.filter(removed_at__isnull=False).exists()
    assert not AssessmentPhoto.objects.filter(removed_at__isnull=False).exists()
    assert not AuditEvent.objects.filter(detail__command="apply_retention").exists()
    assert report.summary.startswith("dry run:") and "would remove 2 referral attachments" in report.summary


@pytest.mark.django_db
def test_a_run_deletes_the_files_of_old_closed_cases_and_old_decrees_only(world):
    old_files = _files(_attachments(world["old"])) + _files(_photos(world["old_batch"]))
    others = [world["recent"], world["open"], world["half"]]
    kept_files = [path for case in others for path in _files(_attachments(case))]
    kept_files += _files(_photos(world["recent_batch"])) + _files(_photos(world["field_batch"]))
    kept_files += [world["person"].photo.path, world["person"].photo_thumb.path]

    report = retention_apply(days=DAYS)

    assert len(report.removed) == 3
    assert not any(os.path.exists(path) for path in old_files)
    assert all(os.path.exists(path) for path in kept_files)
    for row in [*_attachments(world["old"]), *_photos(world["old_batch"])]:
        assert row.removed_at is not None and "retensi" in row.removed_note  # the office's language
    assert {a.file.name for a in _attachments(world["old"])} == {""}
    assert {(p.image.name, p.thumbnail.name) for p in _photos(world["old_batch"])} == {("", "")}
    assert _attachments(world["old"]).count() == 2  # the rows stay: the history shows them


@pytest.mark.django_db
def test_a_second_run_removes_nothing_and_each_applied_run_is_audited(world):
    first = retention_apply(days=DAYS)
    second = retention_apply(days=DAYS)
    assert len(first.removed) == 3 and second.removed == []
    events = AuditEvent.objects.filter(detail__command="apply_retention").order_by("pk")
    assert [len(e.detail["attachments"]) + len(e.detail["photos"]) for e in events] == [3, 0]
    assert events[0].detail["bytes"] == first.size and "removed 2 referral attachments" in events[0].summary


@pytest.mark.django_db
def test_a_file_already_missing_is_still_marked_removed(world):
    """A run that stopped between deleting a file and marking its row: the next run finishes it."""
    attachment = _attachments(world["old"]).first()
    os.remove(attachment.file.path)
    report = retention_apply(days=DAYS)
    attachment.refresh_from_db()
    assert attachment.removed_at is not None and not attachment.file
    assert attachment.pk in [item.pk for item in report.of("attachment")]


@pytest.mark.django_db
def test_the_command_prints_each_file_and_a_summary_last(world, settings):
    settings.RETENTION_DAYS = DAYS
    out = io.StringIO()
    call_command("apply_retention", "--dry-run", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 4 and all(line.startswith("would remove") for line in lines[:3])
    assert lines[-1].startswith("dry run: retention 730 days") and lines[-1].endswith("nothing changed")
    assert world["old"].referrals.get().number in out.getvalue()
    out = io.StringIO()
    call_command("apply_retention", stdout=out)
    assert out.getvalue().splitlines()[-1].startswith("retention 730 days")
    assert "removed 2 referral attachments" in out.getvalue().splitlines()[-1]
    settings.RETENTION_DAYS = 0
    with pytest.raises(CommandError, match="at least 1 day"):
        call_command("apply_retention", stdout=io.StringIO())


@pytest.mark.django_db
def test_pages_say_the_file_was_removed_and_serve_it_no_more(client, world, front_desk, head):
    retention_apply(days=DAYS)
    referral = world["old"].referrals.get()
    attachment = referral.attachments.first()
    client.force_login(front_desk)
    page = client.get(reverse("referrals:detail", args=[referral.pk])).content.decode()
    assert page.count('data-testid="attachment-removed"') == 2 and "ktp.pdf" in page
    assert client.get(reverse("referrals:attachment", args=[referral.pk, attachment.pk])).status_code == 404
    photo = _photos(world["old_batch"]).get()
    client.force_login(head)
    page = client.get(reverse("verivali:assessment_detail", args=[photo.assessment_id])).content.decode()
    assert 'data-testid="photo-removed"' in page
    assert reverse("verivali:photo_thumb", args=[photo.pk]) not in page
    assert client.get(reverse("verivali:photo", args=[photo.pk])).status_code == 404


@pytest.mark.django_db
def test_registry_import_files_go_after_their_own_period_and_the_counts_stay(reference_data, settings):
    from django.core.files.base import ContentFile

    from clients.models import ImportJob

    settings.IMPORT_RETENTION_DAYS = 90
    officer = factories.user_with_role("data_officer", username="dita")

    def job(days_ago: int, status=ImportJob.Status.DONE) -> ImportJob:
        made = ImportJob(original_name="dtks.csv", created_by=officer, status=status, result_line="persons created=1",
                         preview_rejected=[{"line": 2, "reasons": ["NIK 6403…"]}])
        made.file.save("dtks.csv", ContentFile(b"NO_KK,NIK,NAMA\n"), save=False)
        made.error_report.save("errors.csv", ContentFile(b"LINE,REASONS\n"), save=False)
        made.save()
        ImportJob.objects.filter(pk=made.pk).update(updated_at=timezone.now() - datetime.timedelta(days=days_ago))
        return made

    old, recent, running = job(91), job(89), job(200, status=ImportJob.Status.RUNNING)
    old_files = [old.file.name, old.error_report.name]
    report = retention_apply(days=DAYS)
    assert [item.pk for item in report.of("import")] == [old.pk]
    old.refresh_from_db()
    assert (old.file.name, old.error_report.name, old.preview_rejected) == ("", "", [])
    assert old.result_line == "persons created=1"
    assert not any(old.file.storage.exists(name) for name in old_files)
    for kept in (recent, running):
        kept.refresh_from_db()
        assert kept.file and kept.error_report and kept.preview_rejected
    assert retention_apply(days=DAYS).of("import") == []
