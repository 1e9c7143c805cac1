"""Case management, the SLRT way: the needs assessment by domain, each need referred or handled
at the office, the plan of follow-ups (one after a granted referral), closure with a reason, and
reopening — every step in the case's history."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from desks.models import Service
from pandu.workdays import working_days_after
from referrals import case_selectors, case_services, services
from referrals.models import Case, CaseEvent, CaseFollowUp, Referral
from referrals.services import NeedInput

pytestmark = pytest.mark.django_db


def _service(code):
    return Service.objects.get(code=code)


@pytest.fixture
def assessed_case(front_desk, listed_person, sakti):
    """Three domains: health and education referred, civil documents handled at the office."""
    return services.case_open(
        person=listed_person,
        pathway="listed",
        decided_by=front_desk,
        case_worker=sakti,
        needs=[
            NeedInput("health", "Berobat gratis untuk sakit paru", (_service("DINKES-BEROBAT"),)),
            NeedInput("education", "Biaya sekolah anak SMP", (_service("DISDIK-BIAYA"),)),
            NeedInput("civil_documents", "KTP hilang", handled_note="Formulir KTP diisi bersama warga"),
        ],
    )


def _states(case):
    return {need.domain: need.state for need in case_selectors.needs_of(case)}


def test_an_assessment_of_three_domains_makes_two_referrals_and_one_need_handled(assessed_case, front_desk, sakti):
    assert _states(assessed_case) == {"health": "referred", "education": "referred", "civil_documents": "handled"}
    referrals = {r.service.code: r for r in assessed_case.referrals.select_related("need")}
    assert set(referrals) == {"DINKES-BEROBAT", "DISDIK-BIAYA"}
    assert referrals["DINKES-BEROBAT"].need.description == "Berobat gratis untuk sakit paru"
    assert referrals["DINKES-BEROBAT"].status == Referral.Status.SENT
    handled = assessed_case.needs.get(domain="civil_documents")
    assert (handled.handled_by, handled.handled_note) == (front_desk, "Formulir KTP diisi bersama warga")
    assert assessed_case.case_worker == sakti
    actions = list(assessed_case.events.values_list("action", flat=True))
    assert actions == ["opened", "assigned", "need_handled"]


def test_a_need_cannot_be_referred_and_handled_at_once(front_desk, listed_person):
    with pytest.raises(ValidationError, match="not both"):
        services.case_open(
            person=listed_person, pathway="listed", decided_by=front_desk,
            needs=[NeedInput("health", "Berobat", (_service("DINKES-BEROBAT"),), handled_note="Nasihat")],
        )
    assert not Case.objects.exists()


def test_services_chosen_without_an_assessment_become_needs_of_their_domains(front_desk, listed_person):
    case = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk,
                              services=[_service("DINKES-BEROBAT"), _service("DINKES-PBI"), _service("DISDIK-BIAYA")])
    needs = {need.domain: need for need in case_selectors.needs_of(case)}
    assert set(needs) == {"health", "education"}
    assert needs["health"].referrals.count() == 2
    assert {n.state for n in needs.values()} == {"referred"}


def test_an_open_need_blocks_closing_as_all_met_but_not_as_unreachable(assessed_case, sakti):
    need = case_services.case_need_record(case=assessed_case, domain="protection", actor=sakti,
                                          description="Pendampingan anak")
    assert _states(assessed_case)["protection"] == "open"
    for reason in ("all_met", "referred_out"):
        with pytest.raises(ValidationError, match="Pendampingan anak"):
            case_services.case_close(case=assessed_case, reason=reason, note="Selesai", actor=sakti)
    assessed_case.refresh_from_db()
    assert assessed_case.status == Case.Status.OPEN

    case = case_services.case_close(case=assessed_case, reason="unreachable", note="Tidak bisa dihubungi", actor=sakti)
    assert (case.status, case.closure_reason, case.closed_by) == ("closed", "unreachable", sakti)
    assert case.events.last().action == CaseEvent.Action.CLOSED
    assert case_services.open_needs(case).get() == need


def test_a_need_handled_lets_the_case_close_as_all_met(assessed_case, sakti):
    need = case_services.case_need_record(case=assessed_case, domain="protection", actor=sakti,
                                          description="Pendampingan anak")
    case_services.need_handle(need=need, note="Konseling keluarga diberikan", actor=sakti)
    case = case_services.case_close(case=assessed_case, reason="all_met", note="Selesai", actor=sakti)
    assert case.status == Case.Status.CLOSED
    with pytest.raises(ValidationError, match="closed"):
        case_services.case_need_record(case=case, domain="health", actor=sakti, description="x")


def test_an_open_need_is_referred_only_to_a_service_of_its_domain(assessed_case, sakti):
    need = case_services.case_need_record(case=assessed_case, domain="housing", actor=sakti,
                                          description="Atap rumah bocor")
    with pytest.raises(ValidationError, match="domain"):
        services.case_add_need(case=assessed_case, service=_service("DINKES-PBI"), actor=sakti, need=need)
    referral = services.case_add_need(case=assessed_case, service=_service("DINSOS-RTLH"), actor=sakti, need=need)
    assert referral.need == need
    assert _states(assessed_case)["housing"] == "referred"
    with pytest.raises(ValidationError, match="referred already"):
        case_services.need_handle(need=need, note="x", actor=sakti)


def test_a_granted_referral_plans_a_follow_up_to_check_the_aid_arrived(assessed_case, settings, dinkes):
    settings.FOLLOW_UP_AFTER_GRANT_DAYS = 21
    referral = assessed_case.referrals.get(service__code="DINKES-BEROBAT")
    officer = _dinkes_officer(dinkes)
    for action in ("receive", "accept"):
        referral = services.referral_transition(referral=referral, action=action, actor=officer)
    assert not CaseFollowUp.objects.exists()
    at = timezone.now()
    services.referral_transition(referral=referral, action="complete", actor=officer, outcome="granted",
                                 outcome_detail="Biaya ditanggung", at=at)
    follow_up = CaseFollowUp.objects.get()
    assert follow_up.case == assessed_case
    assert follow_up.referral == referral
    assert follow_up.due_on == working_days_after(timezone.localdate(at), 21)
    assert follow_up.planned_by is None
    assert referral.number in follow_up.purpose
    assert assessed_case.events.filter(action="follow_up_planned", actor__isnull=True).exists()


def test_a_referral_not_granted_plans_no_follow_up(assessed_case, dinkes):
    referral = assessed_case.referrals.get(service__code="DINKES-BEROBAT")
    officer = _dinkes_officer(dinkes)
    for action in ("receive", "accept"):
        referral = services.referral_transition(referral=referral, action=action, actor=officer)
    services.referral_transition(referral=referral, action="complete", actor=officer, outcome="not_granted",
                                 outcome_detail="Anggaran habis")
    assert not CaseFollowUp.objects.exists()


def _dinkes_officer(dinkes):
    from tests import factories

    return factories.officer(username="ayu", provider=dinkes, desk_code="DINKES")


def test_overdue_follow_ups_are_those_past_due_not_done_of_open_cases_of_the_worker(
    assessed_case, sakti, other_case_worker, front_desk, listed_person
):
    today = timezone.localdate()
    due = case_services.follow_up_add(case=assessed_case, due_on=today, purpose="Kunjungan rumah", actor=sakti)
    later = case_services.follow_up_add(case=assessed_case, due_on=today + datetime.timedelta(days=3),
                                        purpose="Telepon", actor=sakti)
    done = case_services.follow_up_add(case=assessed_case, due_on=today, purpose="Cek berkas", actor=sakti)
    case_services.follow_up_complete(follow_up=done, note="Berkas lengkap", actor=sakti)
    others = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk,
                                case_worker=other_case_worker, services=[_service("DINKES-PBI")])
    theirs = case_services.follow_up_add(case=others, due_on=today, purpose="Lain", actor=other_case_worker)

    tomorrow = today + datetime.timedelta(days=1)
    assert list(case_selectors.follow_ups_overdue(case_worker=sakti, today=tomorrow)) == [due]
    assert set(case_selectors.follow_ups_overdue(today=tomorrow)) == {due, theirs}
    assert list(case_selectors.follow_ups_overdue(case_worker=sakti, today=today)) == []
    assert set(case_selectors.follow_ups_overdue(case_worker=sakti, today=today + datetime.timedelta(days=4))) == {
        due, later}
    home = case_selectors.caseload_for_home(sakti, today=tomorrow)
    assert home["overdue_follow_ups"] == [due]
    assert [(c, c.next_follow_up, c.follow_up_overdue) for c in home["caseload"]] == [(assessed_case, today, True)]
    # A closed case's follow-ups are not overdue work any more.
    case_services.case_close(case=assessed_case, reason="withdrew", note="Pindah", actor=sakti)
    assert list(case_selectors.follow_ups_overdue(case_worker=sakti, today=tomorrow)) == []


def test_a_follow_up_is_planned_for_today_or_later_and_done_once(assessed_case, sakti, front_desk):
    today = timezone.localdate()
    with pytest.raises(ValidationError):
        case_services.follow_up_add(case=assessed_case, due_on=today - datetime.timedelta(days=1),
                                    purpose="x", actor=sakti)
    follow_up = case_services.follow_up_add(case=assessed_case, due_on=today, purpose="Kunjungan", actor=sakti)
    with pytest.raises(ValidationError, match="found"):
        case_services.follow_up_complete(follow_up=follow_up, note=" ", actor=sakti)
    follow_up = case_services.follow_up_complete(follow_up=follow_up, note="Bantuan diterima", actor=sakti)
    assert (follow_up.done_on, follow_up.done_by, follow_up.done_note) == (today, sakti, "Bantuan diterima")
    with pytest.raises(ValidationError, match="already recorded"):
        case_services.follow_up_complete(follow_up=follow_up, note="lagi", actor=front_desk)


def test_reopening_a_closed_case_needs_a_reason_and_stays_in_its_history(assessed_case, sakti, front_desk):
    with pytest.raises(ValidationError, match="open already"):
        case_services.case_reopen(case=assessed_case, reason="x", actor=front_desk)
    case = case_services.case_close(case=assessed_case, reason="all_met", note="Terpenuhi", actor=sakti)
    with pytest.raises(ValidationError, match="why"):
        case_services.case_reopen(case=case, reason="  ", actor=front_desk)
    case = case_services.case_reopen(case=case, reason="Bantuan belum sampai", actor=front_desk)
    assert (case.status, case.closure_reason, case.closed_at) == ("open", "", None)
    history = list(case.events.values_list("action", "actor", "note"))
    assert history[-2][0] == "closed" and "Terpenuhi" in history[-2][2]
    assert history[-1] == ("reopened", front_desk.pk, "Bantuan belum sampai")


def test_the_case_history_cannot_be_changed(assessed_case):
    event = assessed_case.events.first()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        CaseEvent.objects.filter(pk=event.pk).update(note="rewritten")


def test_a_case_worker_takes_an_unassigned_case_once(front_desk, listed_person, sakti, other_case_worker):
    case = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk,
                              services=[_service("DINKES-PBI")])
    case_services.case_take(case=case, case_worker=sakti)
    with pytest.raises(ValidationError, match="already took"):
        case_services.case_take(case=case, case_worker=other_case_worker)
    case.refresh_from_db()
    assert case.case_worker == sakti
    with pytest.raises(ValidationError, match="not an active case worker"):
        case_services.case_assign(case=case, case_worker=front_desk, actor=front_desk)


def test_the_heads_figures_count_opened_closed_by_reason_and_still_open(assessed_case, front_desk, listed_person, sakti):
    other = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk,
                               services=[_service("DINKES-PBI")])
    case_services.case_close(case=other, reason="referred_out", note="Dirujuk", actor=front_desk)
    figures = case_selectors.case_figures(since=timezone.localdate().replace(month=1, day=1))
    assert (figures["opened"], figures["closed"], figures["open"], figures["unassigned"]) == (2, 1, 1, 0)
    assert {row["reason"]: row["count"] for row in figures["closed_by_reason"]} == {
        "all_met": 0, "referred_out": 1, "withdrew": 0, "unreachable": 0}
