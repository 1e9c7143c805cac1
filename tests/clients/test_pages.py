"""Person and household pages, photos, search page, linking a visit: access and audit."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from clients.models import RegistryStatus
from desks.models import Desk, Ticket
from desks.services import ticket_issue
from pandu.models import AuditEvent
from tests import factories


def png_upload(size=(40, 30), name="photo.png"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 80, 40)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def person(reference_data):
    household = factories.HouseholdFactory(registry_status=RegistryStatus.LISTED, registry_source="PPLS2011",
                                           registry_year=2011)
    return factories.PersonFactory(household=household, full_name="Siti Aminah")


@pytest.fixture
def media(tmp_path, settings):
    """Photos of the test go to a temporary folder (the private storage is rebuilt for it)."""
    from django.utils.functional import empty

    from pandu.files import private_storage

    settings.MEDIA_ROOT = tmp_path
    private_storage._wrapped = empty
    yield tmp_path
    private_storage._wrapped = empty


@pytest.mark.django_db
def test_search_page_shows_the_person_with_registry_badge_and_full_nik(client, front_desk, person):
    client.force_login(front_desk)
    content = client.post(reverse("clients:search"), {"q": "Sitti Aminah"}).content.decode()
    assert "Siti Aminah" in content
    assert person.nik in content
    assert "PPLS2011 2011" in content
    assert '<html' in content  # a whole page without JS


@pytest.mark.django_db
def test_search_with_htmx_returns_only_the_results(client, front_desk, person):
    client.force_login(front_desk)
    content = client.post(reverse("clients:search"), {"q": "Siti"}, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="search-results"' in content
    assert "<html" not in content


@pytest.mark.django_db
def test_search_masks_the_nik_for_roles_that_do_not_need_it(client, person, settings, monkeypatch):
    from pandu import roles

    monkeypatch.setattr(roles, "FULL_NIK_ROLES", frozenset({roles.FRONT_DESK}))
    client.force_login(factories.user_with_role("head", username="kepala2"))
    content = client.post(reverse("clients:search"), {"q": "Siti Aminah"}).content.decode()
    assert person.nik not in content
    assert person.nik[-4:] in content


@pytest.mark.django_db
def test_search_shows_open_visits(client, front_desk, person):
    ticket = ticket_issue(desk=Desk.objects.get(code="REG"), person=person)
    client.force_login(front_desk)
    content = client.post(reverse("clients:search"), {"q": person.nik}).content.decode()
    assert ticket.number in content


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["desk_officer", "surveyor"])
def test_search_page_is_403_for_roles_without_it(client, person, role):
    client.force_login(factories.user_with_role(role, username=f"x_{role}"))
    assert client.get(reverse("clients:search")).status_code == 403
    assert client.post(reverse("clients:search"), {"q": "Siti"}).status_code == 403
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).exists()


@pytest.mark.django_db
def test_a_search_never_puts_the_query_in_a_url_and_is_recorded_without_it(client, front_desk, person):
    client.force_login(front_desk)
    page = client.get(reverse("clients:search")).content.decode()
    assert 'method="post"' in page and "hx-post" in page and "hx-push-url" not in page
    response = client.post(reverse("clients:search"), {"q": person.nik}, HTTP_HX_REQUEST="true")
    assert person.full_name in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.SEARCH)
    assert (event.username, event.detail["kind"], event.detail["results"]) == ("rina", "number", 1)
    assert person.nik not in event.summary + str(event.detail)
    client.post(reverse("clients:search"), {"q": "Siti Aminah"})
    latest = AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).first()
    assert latest.detail["kind"] == "name" and "Siti" not in latest.summary + str(latest.detail)


@pytest.mark.django_db
def test_too_many_searches_are_refused_with_a_clear_message(client, front_desk, person, settings):
    settings.SEARCH_LIMIT_PER_MINUTE = 3
    client.force_login(front_desk)
    for _ in range(3):
        assert client.post(reverse("clients:search"), {"q": "Siti"}, HTTP_HX_REQUEST="true").status_code == 200
    refused = client.post(reverse("clients:search"), {"q": "Siti"}, HTTP_HX_REQUEST="true")
    assert refused.status_code == 429
    page = refused.content.decode()
    assert 'data-testid="search-refused"' in page and person.full_name not in page
    assert AuditEvent.objects.filter(action=AuditEvent.Action.SEARCH).count() == 3
    # Another officer is not held back by a colleague's searches.
    client.force_login(factories.user_with_role("front_desk", username="budi"))
    assert client.post(reverse("clients:search"), {"q": "Siti"}, HTTP_HX_REQUEST="true").status_code == 200


@pytest.mark.django_db
def test_opening_a_person_is_audited(client, front_desk, person):
    client.force_login(front_desk)
    response = client.get(reverse("clients:person_detail", args=[person.pk]))
    assert response.status_code == 200
    assert 'id="person-sections"' in response.content.decode()
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW_PERSON)
    assert (event.user, event.object_id) == (front_desk, str(person.pk))


@pytest.mark.django_db
def test_opening_a_household_is_audited(client, head, person):
    client.force_login(head)
    response = client.get(reverse("clients:household_detail", args=[person.household.pk]))
    assert response.status_code == 200
    assert "Siti Aminah" in response.content.decode()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_HOUSEHOLD, user=head).exists()


@pytest.mark.django_db
def test_an_officer_of_a_provider_gets_404_for_a_person_and_household(client, charlie, person):
    client.force_login(charlie)
    assert client.get(reverse("clients:person_detail", args=[person.pk])).status_code == 404
    assert client.get(reverse("clients:household_detail", args=[person.household.pk])).status_code == 404
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PERSON).exists()


@pytest.mark.django_db
def test_anonymous_gets_login_for_person_pages_and_photos(client, person):
    for name in ("clients:person_detail", "clients:person_photo", "clients:person_edit"):
        response = client.get(reverse(name, args=[person.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


@pytest.mark.django_db
def test_a_photo_is_stored_privately_and_served_to_the_front_desk(client, front_desk, person, media):
    client.force_login(front_desk)
    response = client.post(reverse("clients:person_photo_upload", args=[person.pk]), {"photo": png_upload()})
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.photo.name.endswith(".jpg") and person.photo_thumb
    assert (media / "private" / person.photo.name).exists()
    photo = client.get(reverse("clients:person_photo", args=[person.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert b"".join(photo.streaming_content)[:2] == b"\xff\xd8"
    assert AuditEvent.objects.filter(action=AuditEvent.Action.VIEW_PHOTO, user=front_desk).exists()
    page = client.get(reverse("clients:person_detail", args=[person.pk])).content.decode()
    assert 'accept="image/*" capture="environment"' in page


@pytest.mark.django_db
def test_a_photo_url_opened_by_a_role_without_access_gets_404(client, alice, front_desk, person, media):
    client.force_login(front_desk)
    client.post(reverse("clients:person_photo_upload", args=[person.pk]), {"photo": png_upload()})
    client.post(reverse("clients:household_photo_upload", args=[person.household.pk]), {"photo": png_upload()})
    client.force_login(alice)
    assert client.get(reverse("clients:person_photo", args=[person.pk])).status_code == 404
    assert client.get(reverse("clients:person_photo_thumb", args=[person.pk])).status_code == 404
    assert client.get(reverse("clients:household_photo", args=[person.household.pk])).status_code == 404


@pytest.mark.django_db
def test_a_file_that_is_not_an_image_is_refused(client, front_desk, person, media):
    client.force_login(front_desk)
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = client.post(reverse("clients:person_photo_upload", args=[person.pk]), {"photo": fake}, follow=True)
    assert "bukan foto" in response.content.decode()
    person.refresh_from_db()
    assert not person.photo


@pytest.mark.django_db
def test_an_oversized_image_is_refused(client, front_desk, person, media, settings):
    settings.UPLOAD_IMAGE_MAX_BYTES = 1000
    client.force_login(front_desk)
    response = client.post(reverse("clients:household_photo_upload", args=[person.household.pk]),
                           {"photo": png_upload(size=(900, 900))}, follow=True)
    assert "terlalu besar" in response.content.decode()
    person.household.refresh_from_db()
    assert not person.household.house_photo


@pytest.mark.django_db
def test_a_desk_officer_cannot_upload_a_photo(client, alice, person, media):
    client.force_login(alice)
    response = client.post(reverse("clients:person_photo_upload", args=[person.pk]), {"photo": png_upload()})
    assert response.status_code == 403


@pytest.mark.django_db
def test_the_ticket_being_served_is_linked_to_the_person(client, front_desk, person):
    ticket = ticket_issue(desk=Desk.objects.get(code="REG"))
    client.force_login(front_desk)
    page = client.get(reverse("clients:person_detail", args=[person.pk]), {"ticket": ticket.pk}).content.decode()
    assert 'data-testid="link-ticket"' in page
    response = client.post(reverse("desks:person_link_ticket", args=[person.pk]), {"ticket": ticket.pk})
    ticket.refresh_from_db()
    assert ticket.person == person
    assert ticket.number in client.get(reverse("clients:person_detail", args=[person.pk])).content.decode()

    # The visit carries on: back on the person's page with the ticket, and "Open a case" keeps it.
    assert response["Location"] == f"{reverse('clients:person_detail', args=[person.pk])}?ticket={ticket.pk}"
    page = client.get(response["Location"]).content.decode()
    assert 'data-testid="link-ticket"' not in page
    assert f"{reverse('referrals:case_open', args=[person.pk])}?ticket={ticket.pk}" in page
    assert f"{reverse('clients:household_detail', args=[person.household_id])}?ticket={ticket.pk}" in page


@pytest.mark.django_db
def test_a_closed_ticket_cannot_be_linked(client, front_desk, person):
    ticket = ticket_issue(desk=Desk.objects.get(code="REG"))
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.DONE)
    client.force_login(front_desk)
    response = client.post(reverse("desks:person_link_ticket", args=[person.pk]), {"ticket": ticket.pk})
    assert response.status_code == 404


@pytest.mark.django_db
def test_linking_a_ticket_is_403_for_a_desk_officer(client, alice, person):
    ticket = ticket_issue(desk=Desk.objects.get(code="REG"))
    client.force_login(alice)
    response = client.post(reverse("desks:person_link_ticket", args=[person.pk]), {"ticket": ticket.pk})
    assert response.status_code == 403


@pytest.mark.django_db
def test_a_new_photo_replaces_the_old_file(client, front_desk, person, media, django_capture_on_commit_callbacks):
    client.force_login(front_desk)
    url = reverse("clients:person_photo_upload", args=[person.pk])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"photo": png_upload()})
    person.refresh_from_db()
    first = person.photo.name
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, {"photo": png_upload(size=(50, 50))})
    person.refresh_from_db()
    assert person.photo.storage.exists(person.photo.name)
    assert not person.photo.storage.exists(first)
