"""The case-management pages: the case worker opens only their caseload (another case worker's
case and person answer 404), desk officers and surveyors are refused (403), every change is a
POST with its CSRF token, and the homes show the caseload and the head's figures."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from desks.models import Service
from referrals import case_services, services
from referrals.models import Case
from tests import factories

pytestmark = pytest.mark.django_db


def _service(code):
    return Service.objects.get(code=code)


@pytest.fixture
def my_case(front_desk, listed_person, sakti):
    return services.case_open(person=listed_person, pathway="listed", decided_by=front_desk, case_worker=sakti,
                              services=[_service("DINKES-BEROBAT")])


@pytest.fixture
def their_case(front_desk, other_case_worker):
    person = factories.PersonFactory(household=factories.HouseholdFactory(registry_status="listed"))
    return services.case_open(person=person, pathway="listed", decided_by=front_desk, case_worker=other_case_worker,
                              services=[_service("DINKES-PBI")])


def test_a_case_worker_opens_the_cases_and_persons_of_their_caseload_only(client, sakti, my_case, their_case):
    client.force_login(sakti)
    assert client.get(reverse("referrals:case_detail", args=[my_case.pk])).status_code == 200
    assert client.get(reverse("clients:person_detail", args=[my_case.person_id])).status_code == 200
    referral = my_case.referrals.get()
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 200
    assert client.get(reverse("referrals:case_detail", args=[their_case.pk])).status_code == 404
    assert client.get(reverse("clients:person_detail", args=[their_case.person_id])).status_code == 404
    assert client.get(reverse("referrals:detail", args=[their_case.referrals.get().pk])).status_code == 404
    for name, args in (("case_close", [their_case.pk]), ("follow_up_plan", [their_case.pk]),
                       ("case_need_record", [their_case.pk]), ("case_add_need", [their_case.pk])):
        assert client.post(reverse(f"referrals:{name}", args=args), {}).status_code == 404, name
    # The registry is not theirs to search.
    assert client.get(reverse("clients:search")).status_code == 403


def test_a_case_worker_loses_the_person_after_the_grace_period_of_a_closed_case(client, sakti, my_case, settings):
    case_services.case_close(case=my_case, reason="withdrew", note="Tidak jadi", actor=sakti)
    client.force_login(sakti)
    assert client.get(reverse("clients:person_detail", args=[my_case.person_id])).status_code == 200
    Case.objects.filter(pk=my_case.pk).update(closed_at=timezone.now() - datetime.timedelta(days=31))
    settings.REFERRAL_ACCESS_GRACE_DAYS = 30
    assert client.get(reverse("clients:person_detail", args=[my_case.person_id])).status_code == 404
    assert client.get(reverse("referrals:case_detail", args=[my_case.pk])).status_code == 404


@pytest.mark.parametrize("who", ["alice", "surveyor"])
def test_desk_officers_and_surveyors_are_refused_case_management(client, who, alice, my_case):
    user = alice if who == "alice" else factories.user_with_role("surveyor", username="andi")
    client.force_login(user)
    assert client.get(reverse("referrals:case_list")).status_code == 403
    assert client.get(reverse("referrals:case_detail", args=[my_case.pk])).status_code == 403
    need = my_case.needs.get()
    posts = [
        ("case_close", [my_case.pk], {"reason": "withdrew", "note": "x"}),
        ("case_reopen", [my_case.pk], {"reason": "x"}),
        ("case_need_record", [my_case.pk], {"domain": "health", "description": "x"}),
        ("need_handle", [my_case.pk, need.pk], {"note": "x"}),
        ("follow_up_plan", [my_case.pk], {"due_on": timezone.localdate().isoformat(), "purpose": "x"}),
        ("case_take", [my_case.pk], {}),
        ("case_assign", [my_case.pk], {}),
    ]
    for name, args, data in posts:
        assert client.post(reverse(f"referrals:{name}", args=args), data).status_code == 403, name
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.OPEN


def test_changes_are_post_only_and_need_the_csrf_token(sakti, my_case):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(sakti)
    url = reverse("referrals:case_close", args=[my_case.pk])
    assert browser.get(url).status_code == 405
    assert browser.post(url, {"reason": "withdrew", "note": "x"}).status_code == 403
    my_case.refresh_from_db()
    assert my_case.status == Case.Status.OPEN


def test_the_case_worker_works_a_case_from_its_page(client, sakti, my_case):
    client.force_login(sakti)
    page = reverse("referrals:case_detail", args=[my_case.pk])
    response = client.post(reverse("referrals:case_need_record", args=[my_case.pk]),
                           {"domain": "housing", "description": "Atap rumah bocor"})
    assert response.status_code == 302 and response.url == page
    html = client.get(page).content.decode()
    need = my_case.needs.get(domain="housing")
    assert "Atap rumah bocor" in html and f'data-testid="need-refer-{need.pk}"' in html
    # Refer it with the case_add_need flow, to its domain's services only.
    assert "Rehabilitasi rumah tidak layak huni" in html.split(f'data-testid="need-refer-{need.pk}"')[1].split("</form>")[0]
    assert "Jamkesda" not in html.split(f'data-testid="need-refer-{need.pk}"')[1].split("</form>")[0]
    client.post(reverse("referrals:case_add_need", args=[my_case.pk]),
                {"need": need.pk, "service": _service("DINSOS-RTLH").pk})
    assert need.referrals.get().service.code == "DINSOS-RTLH"
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    client.post(reverse("referrals:follow_up_plan", args=[my_case.pk]),
                {"due_on": tomorrow.isoformat(), "purpose": "Kunjungan rumah"})
    follow_up = my_case.follow_ups.get()
    client.post(reverse("referrals:follow_up_done", args=[my_case.pk, follow_up.pk]), {"note": "Warga sehat"})
    follow_up.refresh_from_db()
    assert (follow_up.done_by, follow_up.done_note) == (sakti, "Warga sehat")
    client.post(reverse("referrals:case_close", args=[my_case.pk]), {"reason": "all_met", "note": "Selesai"})
    my_case.refresh_from_db()
    assert (my_case.status, my_case.closure_reason) == ("closed", "all_met")
    html = client.get(page).content.decode()
    assert 'data-testid="case-reopen"' in html and 'data-testid="case-close"' not in html
    client.post(reverse("referrals:case_reopen", args=[my_case.pk]), {"reason": "Warga kembali"})
    my_case.refresh_from_db()
    assert my_case.status == "open"


def test_the_front_desk_opens_a_case_with_an_assessment_by_domain(client, front_desk, listed_person, sakti):
    client.force_login(front_desk)
    url = reverse("referrals:case_open", args=[listed_person.pk])
    html = client.get(url).content.decode()
    assert 'data-testid="assessment-civil_documents"' in html and "Sakti Peksos" in html
    response = client.post(url, {
        "pathway": "listed",
        "need_health": "Berobat paru",
        "services": [_service("DINKES-BEROBAT").pk, _service("DISDIK-BIAYA").pk],
        "handled_civil_documents": "Formulir KK diisi",
        "need_civil_documents": "KK rusak",
        "need_protection": "Anak perlu pendampingan",
        "case_worker": sakti.pk,
    })
    case = Case.objects.get()
    assert response.status_code == 302 and response.url == reverse("referrals:case_detail", args=[case.pk])
    needs = {n.domain: n for n in case.needs.all()}
    assert set(needs) == {"health", "education", "civil_documents", "protection"}
    assert needs["health"].description == "Berobat paru"
    assert needs["education"].description == "Bantuan biaya sekolah"  # the service says it
    assert needs["civil_documents"].handled_note == "Formulir KK diisi"
    assert not needs["protection"].referrals.exists() and needs["protection"].handled_at is None
    assert case.case_worker == sakti


def test_a_need_handled_without_saying_what_it_is_is_refused(client, front_desk, listed_person):
    client.force_login(front_desk)
    response = client.post(reverse("referrals:case_open", args=[listed_person.pk]),
                           {"pathway": "listed", "handled_housing": "Nasihat"})
    assert response.status_code == 200 and not Case.objects.exists()
    assert "Say what the citizen needs." in response.content.decode()


def test_a_case_worker_takes_an_open_case_from_the_list(client, sakti, front_desk, listed_person):
    case = services.case_open(person=listed_person, pathway="listed", decided_by=front_desk,
                              services=[_service("DINKES-PBI")])
    client.force_login(sakti)
    html = client.get(reverse("referrals:case_list")).content.decode()
    assert reverse("referrals:case_take", args=[case.pk]) in html
    assert client.get(reverse("referrals:case_detail", args=[case.pk])).status_code == 404
    response = client.post(reverse("referrals:case_take", args=[case.pk]))
    assert response.url == reverse("referrals:case_detail", args=[case.pk])
    assert client.get(response.url).status_code == 200
    assert client.post(reverse("referrals:case_take", args=[case.pk])).status_code == 404


def test_the_case_workers_home_shows_overdue_follow_ups_and_the_caseload(client, sakti, my_case):
    from referrals.case_records import follow_up_plan

    follow_up_plan(case=my_case, due_on=timezone.localdate() - datetime.timedelta(days=2),
                   purpose="Kunjungan rumah terlambat", planned_by=sakti)
    client.force_login(sakti)
    html = client.get(reverse("home")).content.decode()
    overdue = html.split('data-testid="overdue-follow-ups"')[1].split("</ul>")[0]
    assert "Kunjungan rumah terlambat" in overdue and my_case.person.full_name in overdue
    assert 'data-testid="caseload"' in html


def test_the_heads_home_counts_cases_closed_by_reason_and_still_open(client, head, my_case, sakti, their_case):
    case_services.case_close(case=my_case, reason="unreachable", note="x", actor=sakti)
    client.force_login(head)
    html = client.get(reverse("home")).content.decode()
    figures = html.split('data-testid="head-cases"')[1].split("</dl>")[0]
    assert 'data-testid="cases-opened">2<' in figures
    assert 'data-testid="cases-closed"><a href="/referrals/cases/?status=closed">1<' in figures
    assert "?status=closed&amp;reason=unreachable\">1<" in figures
    assert 'data-testid="cases-open"><a href="/referrals/cases/?status=open">1<' in figures
    assert client.get(reverse("referrals:case_list") + "?status=closed&reason=unreachable").status_code == 200


def test_a_case_worker_reads_the_recommendation_their_case_rests_on_only(client, front_desk, head, sakti):
    def approved_for(person):
        rec = services.recommendation_request(person=person, reason="r", assessment="a", requested_by=front_desk)
        return services.recommendation_decide(recommendation=rec, approve=True, decided_by=head)

    mine, other = factories.PersonFactory(), factories.PersonFactory()
    rec, other_rec = approved_for(mine), approved_for(other)
    case = services.case_open(person=mine, pathway="recommendation", decided_by=front_desk, case_worker=sakti,
                              services=[_service("DINKES-BEROBAT")])
    client.force_login(sakti)
    html = client.get(reverse("referrals:case_detail", args=[case.pk])).content.decode()
    assert reverse("referrals:recommendation_detail", args=[rec.pk]) in html
    assert client.get(reverse("referrals:recommendation_detail", args=[rec.pk])).status_code == 200
    assert client.get(reverse("referrals:recommendation_letter", args=[rec.pk])).status_code == 200
    assert client.get(reverse("referrals:recommendation_detail", args=[other_rec.pk])).status_code == 404
    assert client.get(reverse("referrals:recommendation_list")).status_code == 403
