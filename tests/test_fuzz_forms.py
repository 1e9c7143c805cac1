"""Fuzzed form posts: whatever a browser (or anyone with curl) sends to the registration,
complaint, referral and survey forms, the answer is never a server error.

Half the examples are a plausible post with one field made hostile, so that it gets past
validation into the services and the database; the other half send any subset of the
fields (missing keys), each plausible or hostile, for whatever reads the raw post before
validation. Hostile is: NUL bytes (PostgreSQL refuses them in text), digits that are not
ASCII ("²".isdigit() is true, int("²") fails), numbers beyond a PostgreSQL integer or
negative, any unicode text, control characters, huge strings, impossible dates, a list
where one value is expected, and a few classics. A number field gets out-of-range numbers
more often. Every example runs in a savepoint that is rolled back, so each starts from the
same data and a database error cannot poison the next one.
"""

from __future__ import annotations

import datetime
import io
import json
from dataclasses import dataclass

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from clients.models import Complaint, Person, PMKSCategory, Region
from clients.nik import make_nik
from desks.models import Service
from referrals import services as referral_services
from referrals.models import Referral
from tests import factories
from verivali import offline
from verivali import services as verivali_services
from verivali.models import Assessment, ScorecardVersion

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

SPECIALS = [
    "",
    " ",
    "\u202e\u200b\ufeff",
    "1e309",
    "NaN",
    "-Infinity",
    "0x1F",
    "1_000",
    "12.5",
    "<script>alert(1)</script>",
    "'; DROP TABLE clients_person; --",
    '=HYPERLINK("http://x")',
    "%s %(x)s {0} {{x}}",
    "../../etc/passwd",
]

# Digits that are not ASCII: "²".isdigit() is true but int("²") fails; int("٣") is 3.
ODD_DIGITS = [str.maketrans("0123456789", table) for table in ("⁰¹²³⁴⁵⁶⁷⁸⁹", "٠١٢٣٤٥٦٧٨٩", "０１２３４５６７８９")]

nasty_date = st.sampled_from(
    ["2024-02-30", "0000-00-00", "9999-12-31", "0001-01-01", "-2024-01-01", "31/12/2024",
     "2024-13-01", "99999-01-01", "2024-1-1", "2024-01-01T25:00", "2024-01-01\x00"]
) | st.dates().map(str)

# Beyond a PostgreSQL integer (2**31 is the first) or bigint, negative, or not a number Python reads.
nasty_number = (st.integers(min_value=2**31, max_value=10**30) | st.integers(max_value=-1)).map(
    str
) | st.sampled_from([str(2**63), str(-(2**63) - 1), "9" * 5000])


def _hostile(plausible: st.SearchStrategy, *, numeric: bool) -> st.SearchStrategy:
    """Hostile values, mostly made from a plausible one, one kind of trouble per branch."""
    kinds = [
        plausible.map(lambda v: f"{v}\x00") | st.text(min_size=1).map(lambda t: f"{t}\x00{t}"),
        st.tuples(plausible, st.sampled_from(ODD_DIGITS)).map(lambda p: str(p[0]).translate(p[1]))
        | st.sampled_from(["²", "٣", "²" * 16, "640305²²03850001"]),
        nasty_number,
        st.text(max_size=60),
        st.text(alphabet=st.characters(max_codepoint=0x1F), min_size=1, max_size=10),
        plausible.map(lambda v: str(v) * 3000) | st.just("ä" * 70_000),
        nasty_date,
        st.lists(plausible | st.text(max_size=5), min_size=2, max_size=3),
        st.sampled_from(SPECIALS),
    ]
    hostile = st.one_of(kinds)
    # A number field: half the time a number out of range, the other troubles the other half.
    return nasty_number | hostile if numeric else hostile


@dataclass(frozen=True)
class Field:
    plausible: st.SearchStrategy
    hostile: st.SearchStrategy


def _is_number(text: str) -> bool:
    return text.lstrip("-").replace(".", "", 1).isdigit()


def pick(*values) -> Field:
    """A field with plausible values as a browser would send them; hostile values of its kind."""
    texts = [str(value) for value in values]
    plausible = st.sampled_from(texts)
    return Field(plausible, _hostile(plausible, numeric=all(_is_number(t) for t in texts)))


def form_data(fields: dict[str, Field], *, background: dict[str, Field] | None = None):
    """Half the time a plausible post with one field made hostile: it gets past validation
    to the services and the database. Half the time any subset of the fields, each plausible
    or hostile: it hits whatever reads the raw post before validation, and missing keys.
    ``background`` fields are always sent plausible: they let the post get as far as it can
    without diluting the fields under test."""
    plausible = st.fixed_dictionaries({name: f.plausible for name, f in fields.items()})
    one_hostile = st.sampled_from(sorted(fields)).flatmap(
        lambda name: st.tuples(st.just(name), fields[name].hostile)
    )
    mutated = st.builds(lambda valid, bad: {**valid, bad[0]: bad[1]}, plausible, one_hostile)
    anything = st.fixed_dictionaries(
        {}, optional={name: f.plausible | f.hostile for name, f in fields.items()}
    )
    data = mutated | anything
    if background:
        fixed = st.fixed_dictionaries({name: f.plausible for name, f in background.items()})
        data = st.builds(lambda fixed, fuzzed: {**fixed, **fuzzed}, fixed, data)
    return data


def post_and_roll_back(client, url: str, data: dict):
    with transaction.atomic():
        response = client.post(url, data)
        transaction.set_rollback(True)
    return response


def assert_no_server_error(client, url: str, data: dict) -> None:
    response = post_and_roll_back(client, url, data)
    assert response.status_code < 500, (url, data)


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (120, 80, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def _file(name: str, content: bytes, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


# A photo or scan: plausible is a real image under any file name; hostile is anything else.
upload = Field(
    st.text(max_size=200).map(lambda name: _file(f"{name}.png", _png(), "image/png")),
    st.one_of(
        st.binary(max_size=300).map(lambda b: _file("x.jpg", b, "image/jpeg")),
        st.binary(max_size=100).map(lambda b: _file("scan.pdf", b"%PDF-1.4\n" + b, "application/pdf")),
        st.just(b"").map(lambda b: _file("empty.png", b, "image/png")),
        _hostile(st.just("photo.jpg"), numeric=False),
    ),
)


def _valid_nik(birth: datetime.date, sex: str, serial: int) -> str:
    return make_nik(kecamatan_code="64.03.05", birth_date=birth, sex=sex, serial=serial)


# --- the front desk: household, person, complaint ------------------------------------------


@pytest.fixture
def registrar(client, front_desk):
    client.force_login(front_desk)
    return client


@pytest.fixture
def household(reference_data):
    household = factories.HouseholdFactory(kk_number="6403051203850007", registry_status="listed")
    factories.PersonFactory(household=household, full_name="Siti Aminah")
    return household


@pytest.mark.django_db
def test_household_registration_never_gives_a_server_error(registrar, reference_data):
    village = factories.village()
    kecamatan = village.parent
    url = reverse("clients:household_create")

    @FUZZ
    @given(
        form_data(
            {
                "kk_number": pick("6403051203850099", "6403051203850007", "6403 0512 0385 0098"),
                "address": pick("Jl. Pemuda No. 2"),
                "rt": pick("4", "004"),
                "rw": pick("2"),
                "kecamatan": pick(kecamatan.pk, Region.objects.filter(level="regency").first().pk),
                "village": pick(village.pk, kecamatan.pk),
                "ticket": pick(1, 10001),
            }
        )
    )
    def check(data):
        assert_no_server_error(registrar, url, data)

    check()


@pytest.mark.django_db
def test_person_registration_never_gives_a_server_error(registrar, household):
    url = reverse("clients:person_create", args=[household.pk])
    birth = datetime.date(1990, 5, 17)
    category = PMKSCategory.objects.filter(is_active=True).first()

    @FUZZ
    @given(
        form_data(
            {
                "nik": pick(_valid_nik(birth, "L", 77), _valid_nik(birth, "P", 78)),
                "no_nik_reason": pick("newborn"),
                "full_name": pick("Lahang Anyeq", "Siti Aminah"),
                "sex": pick(*Person.Sex.values),
                "birth_place": pick("Long Lanuk"),
                "birth_date": pick(birth.isoformat(), "1985-03-12"),
                "relationship": pick(*Person.Relationship.values),
                "education": pick("SD"),
                "occupation": pick("Petani"),
                "disability": pick(""),
                "chronic_illness": pick(""),
                "phone": pick("081234567890"),
                "pmks_categories": pick(category.pk if category else 1),
                "confirm_nik_mismatch": pick("on"),
                "confirm_new": pick("on"),
                "add_another": pick("1"),
                "ticket": pick(10001),
            }
        )
    )
    def check(data):
        assert_no_server_error(registrar, url, data)

    check()


@pytest.mark.django_db
def test_complaint_form_never_gives_a_server_error(registrar, household):
    person = household.members.first()
    url = reverse("clients:complaint_create")

    @FUZZ
    @given(
        form_data(
            {
                "kind": pick(*Complaint.Kind.values),
                "complainant_name": pick("Pak Lahang"),
                "complainant_phone": pick("0812"),
                "description": pick("Rumah kami belum terdata."),
                "person": pick(person.pk),
                "household": pick(household.pk),
            }
        )
    )
    def check(data):
        assert_no_server_error(registrar, url, data)

    check()


# --- referrals: opening a case, moving a referral, its documents ----------------------------


@pytest.fixture
def referrals_by_status(front_desk, household):
    """One referral in each state, all of the same Dinas Kesehatan service."""
    person = household.members.first()
    berobat = Service.objects.get(code="DINKES-BEROBAT")
    made = {}
    for status in Referral.Status.values:
        case = referral_services.case_open(
            person=person, pathway="listed", decided_by=front_desk, services=[berobat]
        )
        referral = case.referrals.get()
        extra = {"outcome": "granted", "outcome_detail": "x"} if status == "completed" else {}
        Referral.objects.filter(pk=referral.pk).update(status=status, **extra)
        made[status] = referral
    return made


@pytest.mark.django_db
def test_case_opening_never_gives_a_server_error(registrar, household):
    person = household.members.first()
    url = reverse("referrals:case_open", args=[person.pk])
    service_ids = list(Service.objects.values_list("pk", flat=True)[:4])

    @FUZZ
    @given(
        form_data(
            {
                "pathway": pick("listed", "in_verification", "recommendation"),
                "override_reason": pick("Data baru"),
                "services": pick(*service_ids),
                "note": pick("Datang dengan anaknya."),
                "ticket": pick(10001, 1),
            }
        )
    )
    def check(data):
        assert_no_server_error(registrar, url, data)

    check()


@pytest.mark.django_db
def test_referral_transitions_never_give_a_server_error(client, alice, front_desk, referrals_by_status):
    @FUZZ
    @given(
        user=st.sampled_from([alice, front_desk]),
        status=st.sampled_from(Referral.Status.values),
        action=st.one_of(st.sampled_from(list(referral_services.TRANSITIONS)), st.text(max_size=12)),
        data=form_data(
            {
                "note": pick("Dokumen kurang: KK."),
                "outcome": pick(*Referral.Outcome.values),
                "outcome_detail": pick("Berobat gratis di RSUD"),
                "next": pick("/referrals/", "/referrals/workspace/", "https://evil.example/"),
            }
        ),
    )
    def check(user, status, action, data):
        client.force_login(user)
        try:
            url = reverse("referrals:action", args=[referrals_by_status[status].pk, action])
        except NoReverseMatch:  # not a slug: no URL leads there
            return
        assert_no_server_error(client, url, data)

    check()


@pytest.mark.django_db
def test_referral_documents_and_attachments_never_give_a_server_error(
    registrar, referrals_by_status
):
    referral = referrals_by_status["sent"]
    documents_url = reverse("referrals:documents", args=[referral.pk])
    attach_url = reverse("referrals:attachment_upload", args=[referral.pk])
    required = referral.required_documents or ["KTP"]

    @FUZZ
    @given(
        documents=form_data({"documents": pick(*required), "next": pick("/referrals/")}),
        attachment=form_data({"document": pick(*required), "file": upload}),
    )
    def check(documents, attachment):
        assert_no_server_error(registrar, documents_url, documents)
        assert_no_server_error(registrar, attach_url, attachment)

    check()


# --- verivali: the surveyor's form ----------------------------------------------------------


@pytest.fixture
def assignment(reference_data):
    surveyor = factories.user_with_role("surveyor", username="andi")
    validator = factories.user_with_role("validator", username="sri")
    household = factories.HouseholdFactory(registry_status="in_verification")
    factories.PersonFactory(household=household, full_name="Siti Aminah")
    factories.PersonFactory(household=household, full_name="Nayla Putri", relationship="child")
    batch = verivali_services.batch_create(
        name="Verivali fuzz",
        code="VV-FUZZ",
        period_start=datetime.date(2026, 9, 1),
        period_end=datetime.date(2026, 12, 31),
        kecamatan=[household.village.parent],
        created_by=validator,
    )
    assessment = verivali_services.batch_add_household(batch=batch, household=household)
    verivali_services.assignments_assign(
        batch=batch, surveyor=surveyor, assessment_ids=[assessment.pk]
    )
    return Assessment.objects.get(pk=assessment.pk)


def _answers_and_members(assessment) -> dict[str, Field]:
    version = ScorecardVersion.objects.get(is_current=True)
    codes = version.indicators.values_list("code", flat=True)
    members = assessment.household.members.values_list("pk", flat=True)
    return {
        **{f"q_{code}": pick(1, 2, 3, 4) for code in codes},
        **{f"m_{pk}": pick("present", "moved", "moved_kk", "deceased") for pk in members},
    }


# The survey's other fields in the groups the service saves together.
SURVEY_GROUPS = {
    "location": {
        "latitude": pick("2.15", "-90", "2.123456"),
        "longitude": pick("117.49", "180"),
        "accuracy": pick(12, 0),
    },
    "newborn": {
        "newborn_name": pick("Bayi Nayla"),
        "newborn_sex": pick("L", "P"),
        "newborn_birth_date": pick("2026-10-01"),
    },
    "notes and photos": {
        "notes": pick("Rumah papan, atap seng."),
        "photo_front": upload,
        "photo_inside": upload,
        "submit_survey": pick("1"),
    },
}


@pytest.mark.django_db
def test_survey_answers_never_give_a_server_error(client, assignment):
    client.force_login(assignment.surveyor)
    url = reverse("verivali:survey", args=[assignment.pk])

    @FUZZ
    @given(form_data({**_answers_and_members(assignment), "submit_survey": pick("1")}))
    def check(data):
        assert_no_server_error(client, url, data)

    check()


@pytest.mark.django_db
@pytest.mark.parametrize("group", SURVEY_GROUPS)
def test_survey_location_newborn_notes_and_photos_never_give_a_server_error(
    client, assignment, group
):
    client.force_login(assignment.surveyor)
    url = reverse("verivali:survey", args=[assignment.pk])
    others = {name: f for g, fields in SURVEY_GROUPS.items() if g != group for name, f in fields.items()}

    @FUZZ
    @given(form_data(SURVEY_GROUPS[group], background={**_answers_and_members(assignment), **others}))
    def check(data):
        assert_no_server_error(client, url, data)

    check()


@pytest.mark.django_db
def test_survey_outcomes_and_member_details_never_give_a_server_error(client, assignment):
    """What the surveyor found (not found, moved, split, duplicate), where members went, and the
    registry facts they corrected."""
    client.force_login(assignment.surveyor)
    url = reverse("verivali:survey", args=[assignment.pk])
    members = list(assignment.household.members.values_list("pk", flat=True))
    other = factories.HouseholdFactory()
    fields = {
        "outcome": pick("found", "not_found", "moved", "split", "duplicate"),
        "outcome_note": pick("Rumah kosong"),
        "moved_village": pick(assignment.household.village_id),
        "moved_address": pick("Jl. Baru 1"),
        "moved_outside_place": pick("Samarinda"),
        "duplicate_kk": pick(other.kk_number, assignment.household.kk_number),
        "split_1_kk": pick("6403050101990001", other.kk_number),
        "split_1_head": pick(*members),
        "head_occupation": pick("Tidak bekerja"),
        **{f"split_to_{pk}": pick("", "1", "2") for pk in members},
        **{f"mkk_{pk}": pick(other.kk_number) for pk in members},
        **{f"mon_{pk}": pick("2026-01-01") for pk in members},
        **{f"ill_{pk}": pick("Asma", "") for pk in members},
        **{f"dis_{pk}": pick("sight", "physical") for pk in members},
    }

    @FUZZ
    @given(form_data(fields, background={
        **_answers_and_members(assignment), "photo_front": upload, "submit_survey": pick("1")}))
    def check(data):
        assert_no_server_error(client, url, data)

    check()


# --- verivali: what the surveyor's phone sends (verivali/offline.py) --------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12) | st.sampled_from(SPECIALS),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
PHONE_FIELDS = ("answers", "findings", "newborns", "notes", "location", "submit", "scorecard", "uuid")


@pytest.mark.django_db
def test_whatever_the_phone_sends_is_never_a_server_error(client, assignment):
    client.force_login(assignment.surveyor)
    url = reverse("verivali:offline_send", args=[assignment.pk])
    base = {"uuid": "0b5f8f0e-3f59-4d6c-9a43-6c4ba3f1a1de", "base_version": offline.assessment_version(assignment)}

    @settings(FUZZ, max_examples=25)
    @given(st.dictionaries(st.sampled_from(PHONE_FIELDS), JSON_VALUES, max_size=4))
    def check(fuzzed):
        with transaction.atomic():
            response = client.post(url, json.dumps({**base, **fuzzed}), content_type="application/json")
            transaction.set_rollback(True)
        assert response.status_code < 500, fuzzed

    check()
