"""The access matrix: every URL of the project, requested as anonymous, as every role and as
an outsider (an officer of another provider), gives the expected answer.

URL patterns are enumerated from the resolver: a new view without an expectation here makes
this test fail, so no page is ever added without deciding who may open it.
"""

from __future__ import annotations

import datetime
import os
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.core.management import call_command
from django.urls import URLResolver, get_resolver, reverse

from desks import services as desk_services
from desks.models import Desk
from tests import factories

ROLES = ("front_desk", "data_officer", "desk_officer", "case_worker", "surveyor", "validator", "head", "admin")
ALL = frozenset(ROLES)


@dataclass
class Spec:
    method: str = "GET"
    args: Callable[[World], list] = lambda world: []
    ok: frozenset[str] = frozenset()  # roles that get through (GET 200, POST 302/200)
    not_found: frozenset[str] = frozenset()  # roles that pass the role check but not the object check
    outsider: int | None = None  # what charlie (Dinas Pendidikan officer) gets; None: as desk_officer
    public: bool = False  # anonymous gets through too
    data: Callable[[World], dict] = lambda world: {}
    ok_status: tuple[int, ...] = field(default=(200, 302))
    other_surveyor: int | None = None  # what a surveyor who does not own the object gets; None: as surveyor


@dataclass
class World:
    users: dict
    outsider: object
    registration: Desk
    dinkes_desk: Desk
    ticket: object
    dinkes_ticket: object
    other_surveyor: object
    batch: object
    assessment: object  # assigned to users["surveyor"], submitted, with a photo
    photo: object
    import_job: object
    person: object  # with a photo, in a household with a house photo
    complaint: object
    candidate: object  # a duplicate pair waiting for review
    merge: object  # a merge of two other persons, undoable
    referral: object = None  # to Dinas Kesehatan, created by the front desk, with an attachment
    attachment: object = None
    recommendation: object = None  # requested
    approved: object = None  # approved, with a letter
    my_case: object = None  # assigned to users["case_worker"], with an open need and a follow-up


def _world() -> World:
    users = {role: factories.user_with_role(role, username=f"m_{role}") for role in ROLES}
    dinkes_desk = Desk.objects.get(code="DINKES")
    factories.DeskAssignment.objects.create(user=users["desk_officer"], provider=dinkes_desk.provider,
                                            desk=dinkes_desk, starts_on="2020-01-01")
    outsider = factories.officer(username="m_outsider", provider=Desk.objects.get(code="DISDIK").provider,
                                 desk_code="DISDIK")
    registration = Desk.objects.get(code="REG")
    batch, assessment = _verivali(users)
    referral, attachment, recommendation, approved = _referrals(users)
    return World(
        my_case=_case_of_the_case_worker(users),
        referral=referral,
        attachment=attachment,
        recommendation=recommendation,
        approved=approved,
        other_surveyor=factories.user_with_role("surveyor", username="m_other_surveyor"),
        batch=batch,
        assessment=assessment,
        photo=assessment.photos.first(),
        import_job=_import_job(users),
        **_client_records(users),
        users=users,
        outsider=outsider,
        registration=registration,
        dinkes_desk=dinkes_desk,
        ticket=desk_services.ticket_issue(desk=registration),
        dinkes_ticket=desk_services.ticket_issue(desk=dinkes_desk),
    )


def _verivali(users):
    from clients.models import Region
    from tests.verivali.conftest import submitted
    from verivali import services as vv
    from verivali.models import ScorecardVersion

    batch = vv.batch_create(name="Matrix", code="VV-M", period_start=datetime.date(2026, 9, 1),
                            period_end=datetime.date(2026, 12, 31), kecamatan=[Region.objects.get(code="64.03.05")],
                            created_by=users["validator"])
    household = factories.HouseholdFactory(registry_status="in_verification")
    factories.PersonFactory(household=household)
    assessment = vv.batch_add_household(batch=batch, household=household)
    vv.assignments_assign(batch=batch, surveyor=users["surveyor"], assessment_ids=[assessment.pk])
    assessment.refresh_from_db()
    submitted(assessment, users["surveyor"], ScorecardVersion.objects.get(number=1))
    assessment.refresh_from_db()
    return batch, assessment


def _client_records(users) -> dict:
    from clients import services as client_services
    from tests.verivali.conftest import png_upload

    person = factories.PersonFactory()
    client_services.person_set_photo(person=person, upload=png_upload(), changed_by=users["front_desk"])
    client_services.household_set_photo(household=person.household, upload=png_upload(), changed_by=users["front_desk"])
    complaint = client_services.complaint_file(kind="wrong_data", description="Nama salah tulis",
                                               received_by=users["data_officer"], person=person)
    from clients.duplicates.merging import persons_merge
    from clients.models import DuplicateCandidate

    def pair():
        first, second = factories.PersonFactory(nik=None, no_nik_reason="-"), factories.PersonFactory()
        return DuplicateCandidate.objects.create(person_a=first, person_b=second, score=80, level="likely",
                                                 reasons=["name_equal"])

    candidate, merged = pair(), pair()
    merge = persons_merge(candidate=merged, survivor=merged.person_b, choices={}, user=users["data_officer"])
    return {"person": person, "complaint": complaint, "candidate": candidate, "merge": merge}


def _stop(world):
    """A planned stop of the Dinas Kesehatan desk's ticket (planned again after a role skipped it)."""
    from desks.models import TicketStop

    stop, _created = TicketStop.objects.get_or_create(ticket=world.dinkes_ticket, desk=Desk.objects.get(code="DISDIK"),
                                                      defaults={"position": 1})
    TicketStop.objects.filter(pk=stop.pk).update(status=TicketStop.Status.PLANNED)
    return stop


def _holding_a_place(world) -> dict:
    from referrals.models import Referral

    world.referral.service.__class__.objects.filter(pk=world.referral.service_id).update(quota=5)
    Referral.objects.filter(pk=world.referral.pk).update(place_released_at=None, place_release_reason="")
    return {"reason": "grant_ended"}


def _service(code):
    from desks.models import Service

    return Service.objects.get(code=code).pk


def _import_job(users):
    from django.core.files.base import ContentFile

    from clients.models import ImportJob

    job = ImportJob(original_name="dtks.csv", created_by=users["data_officer"], status=ImportJob.Status.DONE)
    job.file.save("dtks.csv", ContentFile(b"NO_KK,NIK\n"), save=False)
    job.error_report.save("errors.csv", ContentFile(b"line,reasons\n"), save=False)
    job.save()
    return job
def _referrals(users):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from desks.models import Service
    from referrals import services as rs

    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    case = rs.case_open(person=person, pathway="listed", decided_by=users["front_desk"],
                        services=[Service.objects.get(code="DINKES-BEROBAT")])
    referral = case.referrals.get()
    attachment = rs.referral_attach(referral=referral, actor=users["front_desk"],
                                    upload=SimpleUploadedFile("a.pdf", b"%PDF-1.4 scan", content_type="application/pdf"))
    requested = rs.recommendation_request(person=factories.PersonFactory(), reason="r", assessment="a",
                                          requested_by=users["front_desk"])
    approved = rs.recommendation_request(person=factories.PersonFactory(), reason="r", assessment="a",
                                         requested_by=users["front_desk"])
    approved = rs.recommendation_decide(recommendation=approved, approve=True, decided_by=users["head"])
    return referral, attachment, requested, approved


def _now():
    from django.utils import timezone

    return timezone.now()


def _today():
    from django.utils import timezone

    return timezone.localdate()


def _report():
    """Last month's report, a draft (made once per test, for the report pages only)."""
    from pandu.office import reports

    return reports.report_make(month=reports.last_month())


def _case_of_the_case_worker(users):
    from desks.models import Service
    from referrals import case_services
    from referrals import services as rs

    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    case = rs.case_open(person=person, pathway="listed", decided_by=users["front_desk"],
                        case_worker=users["case_worker"], services=[Service.objects.get(code="DINKES-PBI")],
                        needs=[rs.NeedInput("housing", "Atap bocor")])
    case_services.follow_up_add(case=case, due_on=_today(), purpose="Kunjungan",
                                actor=users["case_worker"])
    return case


def _reopenable(world):
    """The case is closed before each try of reopening it (a role reopened it before)."""
    from referrals.models import Case

    Case.objects.filter(pk=world.my_case.pk).update(status="closed", closed_at=_now(),
                                                   closure_reason="withdrew", closure_note="x")
    return {"reason": "Warga kembali"}


def _open_again(world):
    """The case is open before each try of closing it (a role closed it before)."""
    from referrals.models import Case

    Case.objects.filter(pk=world.my_case.pk).update(status="open", closed_at=None, closure_reason="", closure_note="")
    return {"reason": "withdrew", "note": "Tidak jadi"}


def _unassigned(world):
    from referrals.models import Case

    Case.objects.filter(pk=world.referral.case_id).update(case_worker=None, assigned_at=None)
    return {}


QUEUE = frozenset({"front_desk", "data_officer", "desk_officer", "admin"})
REF = frozenset({"front_desk", "data_officer", "desk_officer", "head", "admin"})
# Case management: the front desk and the data team on any case, the case worker on their caseload.
CASES = frozenset({"front_desk", "data_officer", "case_worker"})
CASE_READ = frozenset({"front_desk", "data_officer", "head", "admin", "case_worker"})
REF_OFFICE = frozenset({"front_desk", "data_officer", "head", "admin"})
REF_FRONT = frozenset({"front_desk", "data_officer"})
REF_DOCS = frozenset({"front_desk", "data_officer", "desk_officer"})
HEAD = frozenset({"head", "admin"})
REGISTRY = frozenset({"data_officer", "admin"})
DATA_OFFICER = frozenset({"data_officer"})
OFFICE_WIDE = frozenset({"front_desk", "data_officer", "validator", "head", "admin"})
REGISTER = frozenset({"front_desk", "data_officer", "admin"})
NOT_OWN = frozenset({"desk_officer", "surveyor", "case_worker"})  # pass the role check, not the object check
VV_OFFICE = frozenset({"validator", "head", "admin"})
VV_READ = frozenset({"front_desk", "data_officer", "validator", "head", "admin", "surveyor"})

def _office_with_logo() -> list:
    """The office has a letterhead logo (as after the administrator uploaded one); no URL arguments."""
    import io

    from django.core.files.base import ContentFile
    from PIL import Image

    from pandu.models import OfficeIdentity

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8)).save(buffer, format="PNG")
    OfficeIdentity.objects.get_or_create(pk=1)[0].logo.save("logo.png", ContentFile(buffer.getvalue()))
    return []


EXPECTATIONS: dict[str, Spec] = {
    "home": Spec(ok=ALL),
    "health": Spec(ok=ALL, public=True),
    "office_logo": Spec(ok=ALL, public=True, args=lambda w: _office_with_logo()),
    "set_language": Spec(method="POST", ok=ALL, public=True, data=lambda w: {"language": "id"}),
    "login": Spec(ok=ALL, public=True),
    "logout": Spec(method="POST", ok=ALL, public=True),
    "password_change": Spec(ok=ALL),
    "password_change_done": Spec(ok=ALL),
    # force_login passes the second factor (tests/conftest.py): these pages send a verified
    # session on; tests/pandu/test_second_factor.py walks them unverified.
    "second_factor_setup": Spec(ok=ALL),
    "second_factor_verify": Spec(ok=ALL),
    "second_factor_recovery_codes": Spec(ok=ALL),
    "second_factor_reset": Spec(args=lambda w: [w.users["head"].pk], ok=frozenset({"admin"})),
    "dashboard": Spec(ok=HEAD | {"desk_officer"}),
    "drill_referrals": Spec(ok=HEAD | {"desk_officer"}),
    "drill_persons": Spec(ok=HEAD),
    "drill_households": Spec(ok=HEAD),
    "drill_tickets": Spec(ok=HEAD),
    "drill_complaints": Spec(ok=HEAD),
    "reports:list": Spec(ok=HEAD),
    "reports:request": Spec(method="POST", ok=HEAD, data=lambda w: {"month": f"{_today():%Y-%m}"}),
    "reports:detail": Spec(args=lambda w: [_report().pk], ok=HEAD),
    "reports:approve": Spec(method="POST", args=lambda w: [_report().pk], ok=frozenset({"head"})),
    "reports:pdf": Spec(args=lambda w: [_report().pk], ok=HEAD),
    "reports:xlsx": Spec(args=lambda w: [_report().pk], ok=HEAD),
    "clients:disability_review": Spec(ok=frozenset({"data_officer", "admin"})),
    "audit:log": Spec(ok=HEAD),
    "desks:index": Spec(ok=QUEUE),
    "desks:display": Spec(ok=ALL, public=True),
    "desks:desk": Spec(args=lambda w: [w.registration.pk], ok=frozenset({"front_desk", "admin"}),
                       not_found=frozenset({"data_officer", "desk_officer"}), outsider=404),
    "desks:issue_ticket": Spec(method="POST", args=lambda w: [w.registration.pk], ok=frozenset({"front_desk", "admin"}),
                               outsider=403),
    "desks:call_next": Spec(method="POST", args=lambda w: [w.dinkes_desk.pk], ok=frozenset({"desk_officer", "admin"}),
                            not_found=frozenset({"front_desk", "data_officer"}), outsider=404),
    "desks:ticket_start": Spec(method="POST", args=lambda w: [w.dinkes_ticket.pk],
                               ok=frozenset({"desk_officer", "admin", "front_desk"}),
                               not_found=frozenset({"data_officer"}), outsider=404),
    "desks:ticket_transfer": Spec(method="POST", args=lambda w: [w.dinkes_ticket.pk],
                                  ok=frozenset({"desk_officer", "admin", "front_desk"}),
                                  not_found=frozenset({"data_officer"}), outsider=404),
    "desks:ticket_finish": Spec(method="POST", args=lambda w: [w.dinkes_ticket.pk],
                                ok=frozenset({"desk_officer", "admin", "front_desk"}),
                                not_found=frozenset({"data_officer"}), outsider=404),
    "desks:ticket_no_show": Spec(method="POST", args=lambda w: [w.dinkes_ticket.pk],
                                 ok=frozenset({"desk_officer", "admin", "front_desk"}),
                                 not_found=frozenset({"data_officer"}), outsider=404),
    "desks:itinerary_move": Spec(method="POST", args=lambda w: [w.dinkes_ticket.pk, _stop(w).pk],
                                 ok=frozenset({"desk_officer", "admin", "front_desk"}),
                                 not_found=frozenset({"data_officer"}), outsider=404, data=lambda w: {"direction": "up"}),
    "desks:itinerary_skip": Spec(method="POST", args=lambda w: [w.dinkes_ticket.pk, _stop(w).pk],
                                 ok=frozenset({"desk_officer", "admin", "front_desk"}),
                                 not_found=frozenset({"data_officer"}), outsider=404,
                                 data=lambda w: {"stop": _stop(w).pk}),
    "desks:ticket_return": Spec(method="POST", args=lambda w: [w.registration.pk], ok=frozenset({"front_desk", "admin"}),
                                not_found=frozenset({"data_officer"}), outsider=403,
                                data=lambda w: {"number": w.ticket.number}),
    "desks:receipt": Spec(args=lambda w: [w.ticket.pk], ok=frozenset({"front_desk", "admin"}),
                          not_found=frozenset({"data_officer", "desk_officer", "case_worker", "surveyor", "validator", "head"}),
                          outsider=404),
    "clients:search": Spec(ok=OFFICE_WIDE),
    "clients:village_options": Spec(ok=ALL),
    "clients:household_create": Spec(ok=REGISTER),
    "clients:household_detail": Spec(args=lambda w: [w.person.household_id], ok=OFFICE_WIDE, not_found=NOT_OWN),
    "clients:household_edit": Spec(args=lambda w: [w.person.household_id], ok=REGISTER),
    "clients:household_photo_upload": Spec(method="POST", args=lambda w: [w.person.household_id], ok=REGISTER),
    "clients:household_photo": Spec(args=lambda w: [w.person.household_id], ok=OFFICE_WIDE, not_found=NOT_OWN),
    "clients:household_photo_thumb": Spec(args=lambda w: [w.person.household_id], ok=OFFICE_WIDE, not_found=NOT_OWN),
    "clients:person_create": Spec(args=lambda w: [w.person.household_id], ok=REGISTER),
    "clients:person_detail": Spec(args=lambda w: [w.person.pk], ok=OFFICE_WIDE, not_found=NOT_OWN),
    "clients:person_edit": Spec(args=lambda w: [w.person.pk], ok=REGISTER),
    "clients:person_move": Spec(args=lambda w: [w.person.pk], ok=REGISTER),
    "clients:person_death": Spec(args=lambda w: [w.person.pk], ok=REGISTER),
    "clients:household_split": Spec(args=lambda w: [w.person.household_id], ok=REGISTER),
    "clients:household_birth": Spec(args=lambda w: [w.person.household_id], ok=REGISTER),
    "desks:person_link_ticket": Spec(method="POST", args=lambda w: [w.person.pk], ok=REGISTER,
                                       data=lambda w: {"ticket": w.ticket.pk}),
    "clients:person_photo_upload": Spec(method="POST", args=lambda w: [w.person.pk], ok=REGISTER),
    "clients:person_photo": Spec(args=lambda w: [w.person.pk], ok=OFFICE_WIDE, not_found=NOT_OWN),
    "clients:person_photo_thumb": Spec(args=lambda w: [w.person.pk], ok=OFFICE_WIDE, not_found=NOT_OWN),
    "privacy:person_export": Spec(method="POST", args=lambda w: [w.person.pk], ok=HEAD),
    "privacy:person_correct": Spec(args=lambda w: [w.person.pk], ok=HEAD),
    "privacy:person_anonymise": Spec(args=lambda w: [w.person.pk], ok=HEAD),
    "clients:complaint_list": Spec(ok=OFFICE_WIDE),
    "clients:complaint_create": Spec(ok=REGISTER),
    "clients:complaint_detail": Spec(args=lambda w: [w.complaint.pk], ok=OFFICE_WIDE),
    "clients:complaint_update": Spec(method="POST", args=lambda w: [w.complaint.pk],
                                     ok=frozenset({"data_officer", "admin"})),
    "duplicates:list": Spec(ok=DATA_OFFICER),
    "duplicates:check": Spec(method="POST", ok=DATA_OFFICER),
    "duplicates:detail": Spec(args=lambda w: [w.candidate.pk], ok=DATA_OFFICER),
    "duplicates:decide": Spec(method="POST", args=lambda w: [w.candidate.pk], ok=DATA_OFFICER,
                              data=lambda w: {"state": "later"}),
    "duplicates:merges": Spec(ok=DATA_OFFICER),
    "duplicates:undo": Spec(method="POST", args=lambda w: [w.merge.pk], ok=DATA_OFFICER),
    "registry:import_list": Spec(ok=REGISTRY),
    "registry:import_detail": Spec(args=lambda w: [w.import_job.pk], ok=REGISTRY),
    "registry:import_progress": Spec(args=lambda w: [w.import_job.pk], ok=REGISTRY),
    "registry:import_start": Spec(method="POST", args=lambda w: [w.import_job.pk], ok=REGISTRY),
    "registry:import_retry": Spec(method="POST", args=lambda w: [w.import_job.pk], ok=REGISTRY),
    "registry:import_errors": Spec(args=lambda w: [w.import_job.pk], ok=REGISTRY),
    "registry:export": Spec(ok=REGISTRY),
    "registry:export_proposal": Spec(ok=REGISTRY),
    "registry:proposals": Spec(ok=REGISTRY),
    "registry:programme_lists": Spec(ok=REGISTRY),
    "registry:proposals_export": Spec(ok=REGISTRY),
    "verivali:batch_list": Spec(ok=VV_OFFICE),
    "verivali:batch_create": Spec(ok=frozenset({"validator"})),
    "verivali:batch_detail": Spec(args=lambda w: [w.batch.pk], ok=VV_OFFICE),
    "verivali:batch_add": Spec(method="POST", args=lambda w: [w.batch.pk], ok=frozenset({"validator"})),
    "verivali:batch_assign": Spec(method="POST", args=lambda w: [w.batch.pk], ok=frozenset({"validator"})),
    "verivali:batch_approve": Spec(method="POST", args=lambda w: [w.batch.pk], ok=frozenset({"head"})),
    "verivali:mine": Spec(ok=frozenset({"surveyor"})),
    # only a surveyor with an assignment in the batch proposes a household found in the field
    "verivali:field_household": Spec(args=lambda w: [w.batch.pk], ok=frozenset({"surveyor"}), other_surveyor=404),
    "verivali:survey": Spec(args=lambda w: [w.assessment.pk], ok=frozenset({"surveyor"}), other_surveyor=404),
    "verivali:assessment_detail": Spec(args=lambda w: [w.assessment.pk], ok=VV_READ, other_surveyor=404),
    "verivali:assessment_validate": Spec(method="POST", args=lambda w: [w.assessment.pk], ok=frozenset({"validator"})),
    "verivali:assessment_return": Spec(method="POST", args=lambda w: [w.assessment.pk], ok=frozenset({"validator"})),
    "verivali:photo": Spec(args=lambda w: [w.photo.pk], ok=VV_READ, other_surveyor=404),
    "verivali:photo_thumb": Spec(args=lambda w: [w.photo.pk], ok=VV_READ, other_surveyor=404),
    "verivali:whatif": Spec(ok=VV_OFFICE),
    "verivali:offline": Spec(ok=frozenset({"surveyor"})),
    "verivali:offline_survey": Spec(ok=frozenset({"surveyor"})),
    "verivali:offline_download": Spec(ok=frozenset({"surveyor"})),
    # the owner gets through to the body's check: an empty survey or no photo is refused (400)
    "verivali:offline_send": Spec(method="POST", args=lambda w: [w.assessment.pk], ok=frozenset({"surveyor"}),
                                  ok_status=(400,), other_surveyor=404),
    "verivali:offline_field_household": Spec(method="POST", args=lambda w: [w.batch.pk], ok=frozenset({"surveyor"}),
                                             ok_status=(400,), other_surveyor=404),
    "verivali:offline_photo": Spec(method="POST", args=lambda w: [w.assessment.pk], ok=frozenset({"surveyor"}),
                                   ok_status=(400,), other_surveyor=404),
    # no data in them: the browser fetches them without a session
    "verivali:service_worker": Spec(ok=ALL, public=True),
    "verivali:manifest": Spec(ok=ALL, public=True),
    "referrals:list": Spec(ok=REF),
    # A case worker opens the referrals of their caseload only: not this one.
    "referrals:detail": Spec(args=lambda w: [w.referral.pk], ok=REF, not_found=frozenset({"case_worker"}),
                             outsider=404),
    "referrals:letter": Spec(args=lambda w: [w.referral.pk], ok=REF, not_found=frozenset({"case_worker"}),
                             outsider=404),
    "referrals:attachment": Spec(args=lambda w: [w.referral.pk, w.attachment.pk], ok=REF,
                                 not_found=frozenset({"case_worker"}), outsider=404),
    "referrals:documents": Spec(method="POST", args=lambda w: [w.referral.pk], ok=REF_DOCS, outsider=404,
                                data=lambda w: {"documents": ["KTP"]}),
    "referrals:attachment_upload": Spec(method="POST", args=lambda w: [w.referral.pk], ok=REF_DOCS, outsider=404),
    "referrals:action": Spec(method="POST", args=lambda w: [w.referral.pk, "receive"],
                             ok=frozenset({"desk_officer"}), outsider=404),
    "referrals:verify": Spec(args=lambda w: [w.referral.token], ok=ALL, public=True),
    # The citizens' status check: a kiosk page with no login (rate-limited by address, POST only).
    "referrals:status_check": Spec(ok=ALL, public=True),
    # Reply slips of paper-only agencies are typed in by the front desk and the data desk only.
    "referrals:reply_slips": Spec(ok=REF_FRONT),
    "referrals:outcomes": Spec(ok=REF_FRONT),
    "referrals:outcomes_mark_read": Spec(method="POST", ok=REF_FRONT),
    "referrals:outcomes_badge": Spec(ok=ALL),
    "referrals:waiting_lists": Spec(ok=REF),
    "referrals:workspace": Spec(ok=frozenset({"desk_officer"})),
    "referrals:case_start": Spec(ok=REF_FRONT),
    # The office or the provider's officer frees a quota place (the referral holds one again before each try).
    "referrals:release_place": Spec(method="POST", args=lambda w: [w.referral.pk], ok=REF_DOCS, outsider=404,
                                    data=lambda w: _holding_a_place(w)),
    "referrals:case_open": Spec(args=lambda w: [w.referral.case.person_id], ok=REF_FRONT),
    # Not the case worker's case (the caseload's own is tested below with my_case).
    "referrals:case_detail": Spec(args=lambda w: [w.referral.case_id], ok=REF_OFFICE,
                                  not_found=frozenset({"case_worker"})),
    # A desk officer adds a need only to the case of the visit at their desk now, a case worker
    # to the cases of their caseload: not this one.
    "referrals:case_add_need": Spec(method="POST", args=lambda w: [w.referral.case_id], ok=REF_FRONT,
                                    not_found=frozenset({"desk_officer", "case_worker"}), outsider=404,
                                    data=lambda w: {"service": _service("DISDIK-BIAYA")}),
    "referrals:case_list": Spec(ok=CASE_READ),
    # A case worker takes an open case nobody has (the world's referral's case, unassigned again before each try).
    "referrals:case_take": Spec(method="POST", args=lambda w: [w.referral.case_id], ok=frozenset({"case_worker"}),
                                data=_unassigned),
    "referrals:case_assign": Spec(method="POST", args=lambda w: [w.my_case.pk], ok=REF_FRONT,
                                  data=lambda w: {"case_worker": w.users["case_worker"].pk}),
    "referrals:case_need_record": Spec(method="POST", args=lambda w: [w.my_case.pk], ok=CASES,
                                       data=lambda w: {"domain": "health", "description": "Berobat"}),
    "referrals:need_override": Spec(method="POST", args=lambda w: [w.my_case.pk, w.my_case.needs.first().pk],
                                    ok=frozenset({"head"}), data=lambda w: {"reason": "Darurat"}),
    "referrals:need_handle": Spec(method="POST", args=lambda w: [w.my_case.pk, w.my_case.needs.first().pk], ok=CASES,
                                  data=lambda w: {"note": "Nasihat diberikan"}),
    "referrals:follow_up_plan": Spec(method="POST", args=lambda w: [w.my_case.pk], ok=CASES,
                                     data=lambda w: {"due_on": _today().isoformat(), "purpose": "x"}),
    "referrals:follow_up_done": Spec(method="POST", args=lambda w: [w.my_case.pk, w.my_case.follow_ups.first().pk],
                                     ok=CASES, data=lambda w: {"note": "Sudah"}),
    "referrals:case_close": Spec(method="POST", args=lambda w: [w.my_case.pk], ok=CASES, data=_open_again),
    "referrals:case_reopen": Spec(method="POST", args=lambda w: [w.my_case.pk], ok=CASES, data=_reopenable),
    "referrals:recommendation_list": Spec(ok=REF_OFFICE),
    "referrals:recommendation_request": Spec(args=lambda w: [w.recommendation.person_id], ok=REF_FRONT),
    # A case worker reads the recommendations their caseload's cases rest on: not these.
    "referrals:recommendation_detail": Spec(args=lambda w: [w.recommendation.pk], ok=REF_OFFICE,
                                            not_found=frozenset({"case_worker"})),
    "referrals:recommendation_decide": Spec(method="POST", args=lambda w: [w.recommendation.pk],
                                            ok=frozenset({"head"}), data=lambda w: {"decision": "refuse", "note": "x"}),
    "referrals:recommendation_letter": Spec(args=lambda w: [w.approved.pk], ok=REF_OFFICE,
                                            not_found=frozenset({"case_worker"})),
}


def _url_names(patterns=None, namespace=None):
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            inner = ":".join(part for part in (namespace, pattern.namespace) if part) or None
            if inner == "admin":
                continue  # Django admin: staff-only by Django itself (tested below)
            if inner == "api":
                # The agencies' API answers tokens, not sessions: no role gets through, anonymous gets
                # 401, not the login page. tests/api/test_access.py enumerates its URLs the same way.
                continue
            yield from _url_names(pattern.url_patterns, inner)
        elif pattern.name:
            yield f"{namespace}:{pattern.name}" if namespace else pattern.name


def test_every_url_has_an_expectation():
    missing = sorted(set(_url_names()) - set(EXPECTATIONS))
    assert not missing, f"views without an access expectation: {missing}"
    stale = sorted(set(EXPECTATIONS) - set(_url_names()))
    assert not stale, f"expectations for views that no longer exist: {stale}"


def _request(client, spec: Spec, url: str, world: World):
    if spec.method == "POST":
        return client.post(url, spec.data(world))
    return client.get(url)


def _expected(spec: Spec, role: str) -> set[int]:
    if role in spec.ok:
        return set(spec.ok_status)
    if role in spec.not_found:
        return {404}
    return {403}


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """One world for the module, built once inside a transaction that is rolled back at the end;
    each test runs in a savepoint of it (pytest-django's ``db``), so what a POST changes is undone
    before the next URL. Its photos and attachments live in the module's own media folder."""
    from django.db import transaction
    from django.test import override_settings

    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("matrix") / "media",
                              PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), media:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            with open(os.devnull, "w") as devnull:
                call_command("load_reference_data", stdout=devnull)
            yield _world()
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture(autouse=True)
def private_media_in_tmp():
    """The module's media folder (the world's, set by ``world``) instead of one per test."""


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTATIONS))
def test_access(world, client, name):
    spec = EXPECTATIONS[name]
    url = reverse(name, args=spec.args(world))
    client.logout()
    response = _request(client, spec, url, world)
    if spec.public:
        assert response.status_code in spec.ok_status, f"anonymous {name}: {response.status_code}"
    else:
        assert response.status_code == 302 and reverse("login") in response.url, f"anonymous {name}"
    for role in ROLES:
        client.force_login(world.users[role])
        response = _request(client, spec, url, world)
        assert response.status_code in _expected(spec, role), f"{role} {name}: {response.status_code}"
    client.force_login(world.outsider)
    response = _request(client, spec, url, world)
    expected = {spec.outsider} if spec.outsider is not None else _expected(spec, "desk_officer")
    assert response.status_code in expected, f"outsider {name}: {response.status_code}"
    client.force_login(world.other_surveyor)
    response = _request(client, spec, url, world)
    expected = {spec.other_surveyor} if spec.other_surveyor is not None else _expected(spec, "surveyor")
    assert response.status_code in expected, f"other surveyor {name}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", [r for r in ROLES if r != "admin"])
def test_django_admin_is_for_staff_only(world, client, role):
    client.force_login(factories.user_with_role(role, username=f"a_{role}"))
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response.url
