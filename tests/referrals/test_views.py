"""The referral pages: who may open what (outsiders get 404/403), letters, verification, notices."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from clients.selectors import get_person_for_user, persons_for_user
from desks.models import Service
from pandu.models import AuditEvent
from pandu.pdf import offline_url_fetcher
from referrals import selectors, services
from referrals.models import Referral
from tests import factories
from tests.referrals.pdf import pdf_bytes_contain

S = Referral.Status


@pytest.fixture
def referral(make_referral):
    return make_referral("DINKES-BEROBAT")


@pytest.fixture
def attachment(referral, front_desk):
    return services.referral_attach(
        referral=referral,
        actor=front_desk,
        upload=SimpleUploadedFile(
            "rujukan.pdf", b"%PDF-1.4\n%scan\n", content_type="application/pdf"
        ),
    )


def _object_urls(referral, attachment=None):
    urls = {
        "detail": reverse("referrals:detail", args=[referral.pk]),
        "letter": reverse("referrals:letter", args=[referral.pk]),
    }
    if attachment is not None:
        urls["attachment"] = reverse("referrals:attachment", args=[referral.pk, attachment.pk])
    return urls


@pytest.mark.django_db
def test_officer_of_another_provider_gets_404_on_the_referral_its_letter_and_its_attachments(
    client, charlie, referral, attachment
):
    client.force_login(charlie)
    for name, url in _object_urls(referral, attachment).items():
        assert client.get(url).status_code == 404, name
    for action in ("receive", "accept", "reject"):
        assert (
            client.post(
                reverse("referrals:action", args=[referral.pk, action]), {"note": "x"}
            ).status_code
            == 404
        )
    assert (
        client.post(
            reverse("referrals:documents", args=[referral.pk]), {"documents": ["KTP"]}
        ).status_code
        == 404
    )
    upload = SimpleUploadedFile("x.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    assert (
        client.post(
            reverse("referrals:attachment_upload", args=[referral.pk]), {"file": upload}
        ).status_code
        == 404
    )
    referral.refresh_from_db()
    assert referral.status == S.SENT and referral.attachments.count() == 1


@pytest.mark.django_db
def test_officer_of_the_provider_and_a_colleague_open_the_referral_and_its_files(
    client, alice, bob, referral, attachment
):
    for officer in (alice, bob):
        client.force_login(officer)
        for name, url in _object_urls(referral, attachment).items():
            assert client.get(url).status_code == 200, name
    assert AuditEvent.objects.filter(
        user=bob, object_id=str(attachment.pk), action="view_photo"
    ).exists()


@pytest.mark.django_db
def test_officer_whose_assignment_ended_no_longer_sees_the_referral(
    client, dinkes, referral, long_ago
):
    former = factories.officer(
        username="former", provider=dinkes, starts_on=long_ago, ends_on=long_ago
    )
    client.force_login(former)
    assert client.get(reverse("referrals:detail", args=[referral.pk])).status_code == 404


OBJECT_VIEWS = ["referrals:detail", "referrals:letter"]
LIST_VIEWS = [
    "referrals:list",
    "referrals:outcomes",
    "referrals:waiting_lists",
    "referrals:case_start",
    "referrals:recommendation_list",
]


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login_everywhere_but_the_verification_page(
    client, referral, attachment
):
    urls = list(_object_urls(referral, attachment).values()) + [
        reverse(name) for name in LIST_VIEWS
    ]
    urls += [
        reverse("referrals:case_open", args=[referral.case.person_id]),
        reverse("referrals:case_detail", args=[referral.case_id]),
        reverse("referrals:recommendation_request", args=[referral.case.person_id]),
        reverse("referrals:outcomes_badge"),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    response = client.post(reverse("referrals:action", args=[referral.pk, "receive"]))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("referrals:verify", args=[referral.token])).status_code == 200


@pytest.mark.django_db
def test_roles_without_referral_work_get_403(client, referral, reference_data):
    surveyor = factories.user_with_role("surveyor", username="andi")
    client.force_login(surveyor)
    urls = list(_object_urls(referral).values()) + [reverse(name) for name in LIST_VIEWS]
    urls += [
        reverse("referrals:case_open", args=[referral.case.person_id]),
        reverse("referrals:case_detail", args=[referral.case_id]),
    ]
    for url in urls:
        assert client.get(url).status_code == 403, url


@pytest.fixture
def recommendation(front_desk, reference_data):
    return services.recommendation_request(
        person=factories.PersonFactory(),
        reason="Sakit",
        assessment="Miskin",
        requested_by=front_desk,
    )


@pytest.mark.django_db
def test_recommendation_pages_refuse_outsiders(client, alice, recommendation, front_desk):
    detail = reverse("referrals:recommendation_detail", args=[recommendation.pk])
    letter = reverse("referrals:recommendation_letter", args=[recommendation.pk])
    decide = reverse("referrals:recommendation_decide", args=[recommendation.pk])
    request_url = reverse("referrals:recommendation_request", args=[recommendation.person_id])
    for url in (detail, letter, request_url):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login")), url
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    client.force_login(alice)
    for url in (detail, letter, request_url):
        assert client.get(url).status_code == 403, url
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    client.force_login(front_desk)
    assert client.get(detail).status_code == 200
    assert client.post(decide, {"decision": "approve"}).status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.status == "requested"


@pytest.mark.django_db
def test_outcome_pages_are_the_front_desks_own(client, alice):
    assert client.post(reverse("referrals:outcomes_mark_read")).status_code == 302
    client.force_login(alice)
    assert client.get(reverse("referrals:outcomes")).status_code == 403
    assert client.post(reverse("referrals:outcomes_mark_read")).status_code == 403
    assert "outcome-badge" not in client.get(reverse("referrals:outcomes_badge")).content.decode()


@pytest.mark.django_db
def test_waiting_lists_of_other_providers_are_not_shown_to_an_officer(client, alice, charlie):
    client.force_login(alice)
    assert "DINSOS-ASLUT" not in client.get(reverse("referrals:waiting_lists")).content.decode()


@pytest.mark.django_db
def test_an_officer_without_an_assignment_today_sees_no_waiting_list(client, dinkes, today):
    import datetime

    former = factories.officer(username="former", provider=dinkes, desk_code="DINKES",
                               starts_on=today - datetime.timedelta(days=60), ends_on=today - datetime.timedelta(days=1))
    client.force_login(former)
    page = client.get(reverse("referrals:waiting_lists")).content.decode()
    assert "DINSOS-ASLUT" not in page and "ASLUT" not in page
    assert 'data-testid="no-waiting-lists"' in page


@pytest.mark.django_db
def test_desk_officers_may_not_open_cases_or_decide_recommendations(client, alice, referral):
    client.force_login(alice)
    assert client.get(reverse("referrals:case_start")).status_code == 403
    assert client.get(reverse("referrals:case_detail", args=[referral.case_id])).status_code == 403
    assert (
        client.get(reverse("referrals:case_open", args=[referral.case.person_id])).status_code
        == 403
    )
    assert client.get(reverse("referrals:recommendation_list")).status_code == 403


@pytest.mark.django_db
def test_inbox_lists_only_my_providers_referrals_overdue_first(
    client, alice, make_referral, front_desk
):
    mine_new = make_referral("DINKES-BEROBAT")
    mine_late = make_referral("DINKES-JAMKESDA")
    Referral.objects.filter(pk=mine_late.pk).update(
        due_on=timezone.localdate() - timezone.timedelta(days=4)
    )
    other = make_referral("DISDIK-BIAYA")
    client.force_login(alice)
    page = client.get(reverse("referrals:list")).content.decode()
    assert mine_new.number in page and mine_late.number in page
    assert other.number not in page
    assert page.index(mine_late.number) < page.index(mine_new.number)
    assert 'data-testid="overdue"' in page
    filtered = client.get(reverse("referrals:list"), {"status": "overdue"}).content.decode()
    assert mine_late.number in filtered and mine_new.number not in filtered
    by_service = client.get(
        reverse("referrals:list"), {"service": Service.objects.get(code="DINKES-BEROBAT").pk}
    ).content.decode()
    assert mine_new.number in by_service and mine_late.number not in by_service


@pytest.mark.django_db
def test_front_desk_list_filters_by_kecamatan(client, front_desk, make_referral):
    elsewhere = factories.PersonFactory(
        household=factories.HouseholdFactory(
            registry_status="listed", village=factories.village("64.03.01.2001")
        )
    )
    here = make_referral("DINKES-BEROBAT")
    there = make_referral("DINKES-BEROBAT", person=elsewhere)
    kecamatan = here.case.person.household.village.parent
    client.force_login(front_desk)
    page = client.get(reverse("referrals:list"), {"kecamatan": kecamatan.pk}).content.decode()
    assert here.number in page and there.number not in page


@pytest.mark.django_db
def test_officer_accepts_through_the_page_and_a_second_officer_is_told_who_took_it(
    client, alice, bob, referral
):
    client.force_login(alice)
    client.post(reverse("referrals:action", args=[referral.pk, "receive"]))
    client.post(reverse("referrals:action", args=[referral.pk, "accept"]))
    client.force_login(bob)
    response = client.post(reverse("referrals:action", args=[referral.pk, "accept"]), follow=True)
    assert "already accepted" in response.content.decode()
    assert f"by {alice.get_full_name()}" in response.content.decode()
    referral.refresh_from_db()
    assert referral.accepted_by == alice


@pytest.mark.django_db
def test_front_desk_cannot_take_the_providers_actions_for_a_provider_with_a_desk(
    client, front_desk, referral
):
    client.force_login(front_desk)
    assert (
        client.post(reverse("referrals:action", args=[referral.pk, "receive"])).status_code == 403
    )
    assert (
        client.post(reverse("referrals:action", args=[referral.pk, "promote"])).status_code == 403
    )
    assert (
        client.post(reverse("referrals:action", args=[referral.pk, "nonsense"])).status_code == 404
    )


@pytest.mark.django_db
def test_front_desk_records_the_answer_of_a_provider_without_a_desk_in_the_office(
    client, front_desk, make_referral
):
    rsud = make_referral("RSUD-RAWAT")
    client.force_login(front_desk)
    client.post(reverse("referrals:action", args=[rsud.pk, "receive"]))
    rsud.refresh_from_db()
    assert rsud.status == S.RECEIVED


@pytest.mark.django_db
def test_officer_cannot_resend_or_cancel(client, alice, make_referral):
    referral = make_referral(status=S.RETURNED)
    client.force_login(alice)
    assert client.post(reverse("referrals:action", args=[referral.pk, "resend"])).status_code == 403
    assert (
        client.post(
            reverse("referrals:action", args=[referral.pk, "cancel"]), {"note": "x"}
        ).status_code
        == 403
    )


@pytest.mark.django_db
def test_the_letter_is_a_pdf_with_the_number(client, front_desk, referral):
    client.force_login(front_desk)
    response = client.get(reverse("referrals:letter", args=[referral.pk]))
    assert response["Content-Type"] == "application/pdf"
    data = response.content
    assert data.startswith(b"%PDF-")
    assert pdf_bytes_contain(data, referral.number.encode())


def test_letters_never_fetch_from_the_network():
    fetcher = offline_url_fetcher()
    for url in (
        "http://example.org/logo.png",
        "https://cdn.example.org/x.css",
        "file:///etc/passwd",
    ):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,ok") is not None


def test_the_qr_code_is_drawn_into_the_pdf_and_remote_images_are_not():
    from pandu.pdf import render_pdf
    from referrals.letters import qr_data_uri

    empty = len(render_pdf("<html><body></body></html>"))
    with_qr = render_pdf(
        f'<html><body><img src="{qr_data_uri("http://pandu.lan/v/x/")}"></body></html>'
    )
    remote = render_pdf('<html><body><img src="http://example.org/logo.png"></body></html>')
    assert len(with_qr) > empty + 500
    assert len(remote) == empty


@pytest.mark.django_db
def test_verification_page_shows_the_letter_status_without_personal_data(client, referral, alice):
    services.referral_transition(referral=referral, action="receive", actor=alice)
    response = client.get(reverse("referrals:verify", args=[referral.token]))
    page = response.content.decode()
    person = referral.case.person
    assert referral.number in page and "Dinas Kesehatan" in page
    assert "S.A.B.A." in page
    assert person.full_name not in page and person.nik not in page
    assert person.household.address not in page
    assert client.get(reverse("referrals:verify", args=["not-a-token"])).status_code == 404
    assert "/verify/" + str(referral.pk) + "/" != reverse("referrals:verify", args=[referral.token])


@pytest.mark.django_db
def test_front_desk_is_notified_of_an_outcome_until_it_opens_the_referral(
    client, front_desk, alice, referral
):
    client.force_login(front_desk)
    assert "outcome-badge" not in client.get(reverse("referrals:outcomes_badge")).content.decode()
    for action, extra in (
        ("receive", {}),
        ("accept", {}),
        ("complete", {"outcome": "granted", "outcome_detail": "Gratis"}),
    ):
        services.referral_transition(referral=referral, action=action, actor=alice, **extra)
    badge = client.get(reverse("referrals:outcomes_badge")).content.decode()
    assert "outcome-badge" in badge and ">1<" in badge
    assert referral.number in client.get(reverse("referrals:outcomes")).content.decode()
    client.get(reverse("referrals:detail", args=[referral.pk]))
    assert "outcome-badge" not in client.get(reverse("referrals:outcomes_badge")).content.decode()


@pytest.mark.django_db
def test_every_front_desk_and_data_officer_gets_the_news_and_reads_it_for_themselves(
    client, alice, referral, reference_data, settings
):
    next_shift = factories.user_with_role("front_desk", username="dewi")
    data = factories.user_with_role("data_officer", username="yusuf")
    services.referral_transition(referral=referral, action="return", actor=alice, note="Kurang SKTM")
    assert selectors.unread_outcome_count(alice) == 0  # the provider made it: not news to them
    for user in (referral.created_by, next_shift, data):
        assert selectors.unread_outcome_count(user) == 1

    # The creator opens the referral: read for them, still news for the next shift.
    client.force_login(referral.created_by)
    client.get(reverse("referrals:detail", args=[referral.pk]))
    assert selectors.unread_outcome_count(referral.created_by) == 0
    client.force_login(next_shift)
    person_page = client.get(reverse("clients:person_detail", args=[referral.case.person_id])).content.decode()
    assert f'data-testid="news-{referral.pk}"' in person_page
    assert referral.number in client.get(reverse("referrals:outcomes")).content.decode()
    client.post(reverse("referrals:outcomes_mark_read"))
    assert selectors.unread_outcome_count(next_shift) == 0
    assert selectors.unread_outcome_count(data) == 1

    # A later answer on the same referral is news again; old news ends after OUTCOME_NEWS_DAYS.
    referral.refresh_from_db()
    services.referral_transition(referral=referral, action="resend", actor=next_shift)
    referral.refresh_from_db()
    services.referral_transition(referral=referral, action="reject", actor=alice, note="Di luar wilayah")
    assert selectors.unread_outcome_count(next_shift) == 1
    settings.OUTCOME_NEWS_DAYS = 0
    assert selectors.unread_outcome_count(data) == 0


@pytest.mark.django_db
def test_desk_officers_may_open_persons_referred_to_their_provider_only(
    alice, charlie, referral, listed_person
):
    assert get_person_for_user(alice, listed_person.pk) == listed_person
    assert not persons_for_user(charlie).filter(pk=listed_person.pk).exists()
    assert (
        selectors.person_filter_for_officer(factories.user_with_role("front_desk", username="x"))
        is None
    )


@pytest.mark.django_db
def test_person_section_lists_only_the_referrals_the_user_may_see(
    alice, front_desk, make_referral, listed_person
):
    health = make_referral("DINKES-BEROBAT")
    school = make_referral("DISDIK-BIAYA")
    assert {r.pk for r in selectors.referrals_for_person(listed_person, front_desk)} == {
        health.pk,
        school.pk,
    }
    assert [r.pk for r in selectors.referrals_for_person(listed_person, alice)] == [health.pk]
    from django.template.loader import render_to_string

    html = render_to_string(
        "referrals/_person_section.html",
        {
            "person": listed_person,
            "referrals": selectors.referrals_for_person(listed_person, front_desk),
        },
    )
    assert health.number in html and school.number in html


@pytest.mark.django_db
def test_front_desk_opens_a_case_with_two_needs(client, front_desk, listed_person):
    client.force_login(front_desk)
    page = client.post(reverse("referrals:case_start"), {"q": listed_person.nik}).content.decode()
    assert reverse("referrals:case_open", args=[listed_person.pk]) in page
    # The same fuzzy search as everywhere: a misspelt name finds the person too.
    page = client.post(reverse("referrals:case_start"), {"q": "Sitti Aminah binti Achmad"}).content.decode()
    assert reverse("referrals:case_open", args=[listed_person.pk]) in page
    needs = Service.objects.filter(code__in=["DINKES-BEROBAT", "DISDIK-BIAYA"]).values_list(
        "pk", flat=True
    )
    response = client.post(
        reverse("referrals:case_open", args=[listed_person.pk]),
        {"pathway": "listed", "services": list(needs)},
    )
    case = listed_person.cases.get()
    assert response.url == reverse("referrals:case_detail", args=[case.pk])
    page = client.get(response.url).content.decode()
    assert listed_person.full_name in page and "DTKS" in page
    assert all(r.number in page for r in case.referrals.all())


@pytest.mark.django_db
def test_case_form_shows_the_pathway_refusal_with_what_to_do(client, front_desk, reference_data):
    person = factories.PersonFactory(
        household=factories.HouseholdFactory(registry_status="in_verification")
    )
    client.force_login(front_desk)
    bsm = Service.objects.get(code="DISDIK-BSM")
    response = client.post(
        reverse("referrals:case_open", args=[person.pk]),
        {"pathway": "in_verification", "services": [bsm.pk]},
    )
    assert response.status_code == 200
    assert "Request a Dinas Sosial recommendation" in response.content.decode()
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_head_approves_a_recommendation_and_its_letter_prints(
    client, front_desk, head, reference_data
):
    person = factories.PersonFactory()
    client.force_login(front_desk)
    response = client.post(
        reverse("referrals:recommendation_request", args=[person.pk]),
        {"reason": "Butuh operasi", "assessment": "Rumah tidak layak, tanpa penghasilan tetap"},
    )
    rec = person.recommendations.get()
    assert response.url == reverse("referrals:recommendation_detail", args=[rec.pk])
    assert (
        client.post(
            reverse("referrals:recommendation_decide", args=[rec.pk]), {"decision": "approve"}
        ).status_code
        == 403
    )
    assert client.get(reverse("referrals:recommendation_letter", args=[rec.pk])).status_code == 404
    client.force_login(head)
    client.post(reverse("referrals:recommendation_decide", args=[rec.pk]), {"decision": "approve"})
    rec.refresh_from_db()
    assert rec.status == "approved" and rec.number
    letter = client.get(reverse("referrals:recommendation_letter", args=[rec.pk]))
    assert letter["Content-Type"] == "application/pdf" and pdf_bytes_contain(
        letter.content, rec.number.encode()
    )


@pytest.mark.django_db
def test_attachment_upload_through_the_page_refuses_a_fake_pdf(client, front_desk, referral):
    client.force_login(front_desk)
    fake = SimpleUploadedFile("kk.pdf", b"GIF89a not really", content_type="application/pdf")
    response = client.post(
        reverse("referrals:attachment_upload", args=[referral.pk]), {"file": fake}, follow=True
    )
    assert "not a PDF" in response.content.decode()
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="JPEG")
    photo = SimpleUploadedFile("kk.jpg", buffer.getvalue(), content_type="image/jpeg")
    client.post(
        reverse("referrals:attachment_upload", args=[referral.pk]),
        {"file": photo, "document": "Kartu Keluarga"},
    )
    assert referral.attachments.get().document == "Kartu Keluarga"


@pytest.mark.django_db
def test_waiting_list_page_shows_positions(client, front_desk, make_referral, reference_data):
    aslut = Service.objects.get(code="DINSOS-ASLUT")
    aslut.quota = 1
    aslut.save()
    first = make_referral("DINSOS-ASLUT")
    second = make_referral("DINSOS-ASLUT")
    assert (first.status, second.status) == ("sent", "waiting")
    client.force_login(front_desk)
    page = client.get(reverse("referrals:waiting_lists")).content.decode()
    assert second.number in page and first.number not in page
    detail = client.get(reverse("referrals:detail", args=[second.pk])).content.decode()
    assert 'data-testid="waiting-position"' in detail


@pytest.mark.django_db
def test_case_opened_from_a_ticket_links_the_visit(client, front_desk, listed_person):
    from desks.models import Desk
    from desks.services import ticket_issue

    ticket = ticket_issue(desk=Desk.objects.get(code="REG"), issued_by=front_desk)
    client.force_login(front_desk)
    url = reverse("referrals:case_open", args=[listed_person.pk])
    assert f'value="{ticket.pk}"' in client.get(url, {"ticket": ticket.pk}).content.decode()
    berobat = Service.objects.get(code="DINKES-BEROBAT")
    client.post(url, {"pathway": "listed", "services": [berobat.pk], "ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.person == listed_person and listed_person.cases.get().ticket == ticket


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["ab", "a b", "/referrals/\x00", "/x\nSet-Cookie: a=b", "//evil.example/"])
def test_a_next_that_is_not_a_path_of_this_site_falls_back_to_the_referral(
    client, alice, referral, target
):
    """Found by fuzzing: a bare word was reversed as a URL name, a control character went
    into the Location header; both were server errors."""
    client.force_login(alice)
    response = client.post(
        reverse("referrals:action", args=[referral.pk, "receive"]), {"next": target}
    )
    assert response.status_code == 302
    assert response.url == reverse("referrals:detail", args=[referral.pk])


@pytest.mark.django_db
def test_a_ticket_id_that_is_not_ascii_digits_is_refused_not_a_server_error(
    client, front_desk, listed_person
):
    """Found by fuzzing: "²".isdigit() is true, so the ticket was looked up and int() failed."""
    client.force_login(front_desk)
    berobat = Service.objects.get(code="DINKES-BEROBAT")
    response = client.post(
        reverse("referrals:case_open", args=[listed_person.pk]),
        {"pathway": "listed", "services": [berobat.pk], "ticket": "²"},
    )
    assert response.status_code == 200 and "ticket" in response.context["form"].errors
    assert not listed_person.cases.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("status", ["\x00", "nonsense"])
def test_an_unknown_status_filter_lists_every_recommendation(client, head, recommendation, status):
    client.force_login(head)
    response = client.get(reverse("referrals:recommendation_list"), {"status": status})
    assert response.status_code == 200 and recommendation.person.full_name in response.content.decode()
