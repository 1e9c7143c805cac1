"""Verivali pages: what each role sees and does, and what outsiders get (404, 403, login)."""

import pytest
from django.urls import reverse

from clients.models import Household
from pandu.models import AuditEvent
from tests import factories
from tests.verivali.conftest import png_upload, submitted
from verivali import services
from verivali.models import Assessment, Batch


@pytest.fixture
def photo(assignment, surveyor, version):
    submitted(assignment, surveyor, version)
    return assignment.photos.get()


def _urls(batch, assessment, photo):
    return {
        "batch_list": ("get", reverse("verivali:batch_list")),
        "batch_create": ("get", reverse("verivali:batch_create")),
        "batch_detail": ("get", reverse("verivali:batch_detail", args=[batch.pk])),
        "batch_add": ("post", reverse("verivali:batch_add", args=[batch.pk])),
        "batch_assign": ("post", reverse("verivali:batch_assign", args=[batch.pk])),
        "batch_approve": ("post", reverse("verivali:batch_approve", args=[batch.pk])),
        "mine": ("get", reverse("verivali:mine")),
        "survey": ("get", reverse("verivali:survey", args=[assessment.pk])),
        "assessment_detail": ("get", reverse("verivali:assessment_detail", args=[assessment.pk])),
        "assessment_validate": (
            "post",
            reverse("verivali:assessment_validate", args=[assessment.pk]),
        ),
        "assessment_return": ("post", reverse("verivali:assessment_return", args=[assessment.pk])),
        "photo": ("get", reverse("verivali:photo", args=[photo.pk])),
        "whatif": ("get", reverse("verivali:whatif")),
    }


# which role gets 403 on each page
WRONG_ROLE = {
    "batch_list": "surveyor",
    "batch_create": "head",
    "batch_detail": "surveyor",
    "batch_add": "head",
    "batch_assign": "surveyor",
    "batch_approve": "validator",
    "mine": "validator",
    "survey": "validator",
    "assessment_detail": "desk_officer",
    "assessment_validate": "surveyor",
    "assessment_return": "head",
    "photo": "desk_officer",
    "whatif": "surveyor",
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(WRONG_ROLE))
def test_anonymous_visitors_go_to_login(client, batch, assignment, photo, name):
    method, url = _urls(batch, assignment, photo)[name]
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "role"), list(WRONG_ROLE.items()))
def test_wrong_role_gets_403(client, batch, assignment, photo, name, role):
    client.force_login(factories.user_with_role(role, username=f"wrong_{role}"))
    method, url = _urls(batch, assignment, photo)[name]
    assert getattr(client, method)(url).status_code == 403


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["survey", "assessment_detail", "photo"])
def test_another_surveyor_gets_404(client, batch, assignment, photo, other_surveyor, name):
    client.force_login(other_surveyor)
    method, url = _urls(batch, assignment, photo)[name]
    assert getattr(client, method)(url).status_code == 404


@pytest.mark.django_db
def test_another_surveyor_does_not_see_the_assignment_in_their_list(
    client, assignment, other_surveyor, surveyor
):
    client.force_login(other_surveyor)
    assert assignment.household.address not in client.get(reverse("verivali:mine")).content.decode()
    client.force_login(surveyor)
    page = client.get(reverse("verivali:mine")).content.decode()
    assert assignment.household.address in page and "Nayla Putri" in page


@pytest.mark.django_db
def test_state_changes_are_post_only(client, validator, head, batch, assignment):
    client.force_login(validator)
    assert (
        client.get(reverse("verivali:assessment_validate", args=[assignment.pk])).status_code == 405
    )
    client.force_login(head)
    assert client.get(reverse("verivali:batch_approve", args=[batch.pk])).status_code == 405


@pytest.mark.django_db
def test_missing_objects_are_404(client, validator, surveyor):
    client.force_login(validator)
    assert client.get(reverse("verivali:batch_detail", args=[999])).status_code == 404
    assert client.get(reverse("verivali:assessment_detail", args=[999])).status_code == 404
    client.force_login(surveyor)
    assert client.get(reverse("verivali:survey", args=[999])).status_code == 404


@pytest.mark.django_db
def test_validator_creates_a_batch_adds_and_assigns(client, validator, surveyor, household):
    client.force_login(validator)
    kecamatan = household.village.parent
    response = client.post(
        reverse("verivali:batch_create"),
        {
            "name": "Verivali 2026",
            "code": "VV-26",
            "period_start": "2026-09-01",
            "period_end": "2026-12-31",
            "kecamatan": [kecamatan.pk],
        },
    )
    batch = Batch.objects.get(code="VV-26")
    assert response.url == reverse("verivali:batch_detail", args=[batch.pk])
    client.post(
        reverse("verivali:batch_add", args=[batch.pk]),
        {"source": "manual", "kk_number": household.kk_number},
    )
    assessment = batch.assessments.get()
    client.post(
        reverse("verivali:batch_assign", args=[batch.pk]),
        {"surveyor": surveyor.pk, "assessment": assessment.pk},
    )
    assessment.refresh_from_db()
    assert assessment.surveyor == surveyor and assessment.status == "assigned"
    page = client.get(reverse("verivali:batch_detail", args=[batch.pk])).content.decode()
    assert household.address in page and 'data-testid="progress"' in page
    assert "Tanjung Redeb" in page and "Jumlah" in page and "None" not in page
    url = reverse("verivali:batch_detail", args=[batch.pk])
    assert household.address in client.get(url, {"village": household.village_id}).content.decode()
    assert household.address not in client.get(url, {"status": "validated"}).content.decode()
    assert client.get(url, {"village": "x'; drop"}).status_code == 200


@pytest.mark.django_db
def test_unknown_kk_number_is_explained(client, validator, batch):
    client.force_login(validator)
    response = client.post(
        reverse("verivali:batch_add", args=[batch.pk]),
        {"source": "manual", "kk_number": "6403000000000000"},
        follow=True,
    )
    assert "KK" in response.content.decode() and not batch.assessments.exists()


@pytest.mark.django_db
def test_batch_create_refuses_a_period_that_ends_before_it_starts(client, validator, household):
    client.force_login(validator)
    response = client.post(
        reverse("verivali:batch_create"),
        {
            "name": "X",
            "code": "X",
            "period_start": "2026-12-01",
            "period_end": "2026-01-01",
            "kecamatan": [household.village.parent.pk],
        },
    )
    assert response.status_code == 200 and not Batch.objects.exists()


def _survey_post(version, value=2, **extra):
    data = {f"q_{code}": str(value) for code in version.indicators.values_list("code", flat=True)}
    data.update(extra)
    return data


@pytest.mark.django_db
def test_surveyor_saves_a_draft_then_submits_with_a_photo(client, surveyor, assignment, version):
    client.force_login(surveyor)
    url = reverse("verivali:survey", args=[assignment.pk])
    page = client.get(url).content.decode()
    assert page.count('type="radio"') >= 16 * 4
    assert "verivali/survey.js" in page and "<script>" not in page
    data = _survey_post(version)
    del data["q_S05"]
    data.update(
        {
            "save_draft": "1",
            "notes": "Rumah panggung",
            "latitude": "2.153000",
            "longitude": "117.490000",
            "photo_front": png_upload(),
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302
    assignment.refresh_from_db()
    assert (
        assignment.status == "draft"
        and assignment.answers.count() == 15
        and assignment.latitude is not None
    )
    # submitting an incomplete survey keeps the draft and says what is missing
    response = client.post(
        url, {**_survey_post(version), "q_S05": "", "submit_survey": "1"}, follow=True
    )
    assert "S05" in response.content.decode()
    assert Assessment.objects.get(pk=assignment.pk).status == "draft"
    response = client.post(url, {**_survey_post(version, 3), "submit_survey": "1"})
    assert response.url == reverse("verivali:assessment_detail", args=[assignment.pk])
    assignment.refresh_from_db()
    assert (assignment.status, assignment.score, assignment.welfare_class) == (
        "submitted",
        48,
        "near_poor",
    )
    detail = client.get(response.url).content.decode()
    # 16 answer lines in the result, and again in the household section below it
    assert 'data-testid="breakdown"' in detail and detail.count('<tr><td class="text-muted">') == 32


@pytest.mark.django_db
def test_a_file_that_is_not_a_photo_is_refused_and_nothing_saved(
    client, surveyor, assignment, version
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(surveyor)
    bad = SimpleUploadedFile("x.png", b"not an image at all", content_type="image/png")
    response = client.post(
        reverse("verivali:survey", args=[assignment.pk]),
        {**_survey_post(version), "photo_front": bad},
    )
    assert response.status_code == 200
    assert not assignment.photos.exists()


@pytest.mark.django_db
def test_validator_returns_with_a_note_and_the_surveyor_sees_it(
    client, validator, surveyor, assignment, version
):
    submitted(assignment, surveyor, version)
    client.force_login(validator)
    detail = client.get(
        reverse("verivali:assessment_detail", args=[assignment.pk])
    ).content.decode()
    assert 'data-testid="review"' in detail and 'data-testid="photo"' in detail
    client.post(reverse("verivali:assessment_return", args=[assignment.pk]), {"note": "Foto buram"})
    client.force_login(surveyor)
    assert "Foto buram" in client.get(reverse("verivali:mine")).content.decode()
    assert (
        "Foto buram"
        in client.get(reverse("verivali:survey", args=[assignment.pk])).content.decode()
    )


@pytest.mark.django_db
def test_photo_is_served_privately_and_audited(client, front_desk, photo):
    client.force_login(front_desk)
    response = client.get(reverse("verivali:photo", args=[photo.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert AuditEvent.objects.filter(action="view_photo", object_id=str(photo.pk)).exists()


@pytest.mark.django_db
def test_head_approves_and_the_household_shows_listed_with_the_batch(
    client, head, validator, surveyor, assignment, version, batch
):
    submitted(assignment, surveyor, version)
    services.assessment_validate(assessment=assignment, validator=validator)
    client.force_login(head)
    client.post(
        reverse("verivali:batch_approve", args=[batch.pk]),
        {"decree_number": "188.45/9/2026", "decree_date": "2026-12-20"},
    )
    household = Household.objects.get(pk=assignment.household_id)
    assert (household.registry_status, household.registry_source) == (
        "listed",
        "VERIVALI:VV-2026-9",
    )
    page = client.get(reverse("verivali:assessment_detail", args=[assignment.pk])).content.decode()
    assert "VERIVALI:VV-2026-9" in page and 'data-testid="verivali-household-section"' in page
    assert AuditEvent.objects.filter(action="view_household", object_id=str(household.pk)).exists()


@pytest.mark.django_db
def test_whatif_page_shows_the_matrix(client, head, surveyor, assignment, version):
    submitted(assignment, surveyor, version)
    client.force_login(head)
    page = client.get(reverse("verivali:whatif"), {"version": version.pk}).content.decode()
    assert 'data-testid="whatif-matrix"' in page and "TANJUNG REDEB".title() in page.title()


@pytest.mark.django_db
def test_role_homes_link_to_verivali(client, surveyor, validator, head, assignment):
    for user, link in (
        (surveyor, "verivali:mine"),
        (validator, "verivali:batch_list"),
        (head, "verivali:whatif"),
    ):
        client.force_login(user)
        assert reverse(link) in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_batch_list_shows_progress(client, validator, assignment, batch):
    client.force_login(validator)
    page = client.get(reverse("verivali:batch_list")).content.decode()
    assert batch.name in page


@pytest.mark.django_db
def test_household_fragment_renders_from_the_selector_alone(
    assignment, surveyor, version, household
):
    """The contract with the household page: include the fragment with these two variables."""
    from django.template.loader import render_to_string

    from verivali.selectors import household_assessments

    submitted(assignment, surveyor, version, value=1)
    html = render_to_string(
        "verivali/_household_section.html",
        {"household": household, "household_assessments": household_assessments(household)},
    )
    photo = assignment.photos.get()
    assert "16" in html and reverse("verivali:photo_thumb", args=[photo.pk]) in html
    assert reverse("verivali:assessment_detail", args=[assignment.pk]) in html
    assert html.count("<tr><td") == 16


@pytest.mark.django_db
def test_a_location_accuracy_beyond_the_column_is_refused_not_a_server_error(
    client, surveyor, assignment, version
):
    """Found by fuzzing: accuracy is a hidden field, and 2**31 overflowed the database column."""
    client.force_login(surveyor)
    response = client.post(
        reverse("verivali:survey", args=[assignment.pk]),
        _survey_post(version, latitude="2.153000", longitude="117.490000", accuracy=str(2**31)),
    )
    assert response.status_code == 200
    assignment.refresh_from_db()
    assert assignment.location_accuracy is None and assignment.status == "assigned"


@pytest.mark.django_db
def test_a_village_filter_that_is_not_ascii_digits_is_ignored(client, validator, batch):
    client.force_login(validator)
    response = client.get(reverse("verivali:batch_detail", args=[batch.pk]), {"village": "²"})
    assert response.status_code == 200
