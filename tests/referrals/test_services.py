"""The referral workflow: pathways, numbering, the state machine, quotas, attachments."""

import datetime
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from PIL import Image

from desks.models import Service
from pandu.counters import differences
from pandu.numbering import ROMAN_MONTHS
from pandu.workdays import working_days_after
from referrals import services
from referrals.models import Recommendation, Referral, ReferralEvent
from referrals.selectors import referral_counts_for_home
from tests import factories

S = Referral.Status


def _person(status):
    household = factories.HouseholdFactory(registry_status=status)
    return factories.PersonFactory(household=household)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("registry_status", "pathway"),
    [
        ("listed", "listed"),
        ("in_verification", "in_verification"),
        ("not_listed", "recommendation"),
    ],
)
def test_pathway_is_proposed_from_the_household_registry_status(
    reference_data, registry_status, pathway
):
    assert services.pathway_proposed(_person(registry_status).household) == pathway


@pytest.mark.django_db
def test_case_records_who_decided_the_pathway_and_one_referral_per_need(front_desk, listed_person):
    needs = list(Service.objects.filter(code__in=["DINKES-BEROBAT", "DISDIK-BIAYA"]))
    case = services.case_open(
        person=listed_person, pathway="listed", decided_by=front_desk, services=needs
    )
    assert case.pathway_decided_by == front_desk
    assert case.proposed_pathway == "listed"
    assert case.registry_status == "listed"
    referrals = {r.service.code: r for r in case.referrals.select_related("service", "provider")}
    assert set(referrals) == {"DINKES-BEROBAT", "DISDIK-BIAYA"}
    health = referrals["DINKES-BEROBAT"]
    assert health.provider.code == "DINKES"
    assert health.status == S.SENT
    assert health.due_on == working_days_after(timezone.localdate(health.sent_at), 3)  # the SLA's working days
    assert health.required_documents == ["KTP", "Kartu Keluarga", "Surat rujukan puskesmas"]
    assert list(health.events.values_list("action", "to_status")) == [("create", "sent")]


@pytest.mark.django_db
def test_referral_number_has_the_office_format(front_desk, listed_person):
    at = datetime.datetime(2026, 11, 3, 2, 0, tzinfo=datetime.UTC)
    case = services.case_open(
        person=listed_person,
        pathway="listed",
        decided_by=front_desk,
        services=[Service.objects.get(code="DINKES-BEROBAT")],
        at=at,
    )
    assert case.referrals.get().number == "0001/RJK/UPTD-PTKS/XI/2026"


@pytest.mark.django_db
def test_service_that_does_not_accept_the_pathway_is_refused_with_what_to_do(front_desk):
    person = _person("in_verification")
    with pytest.raises(ValidationError) as error:
        services.case_open(
            person=person,
            pathway="in_verification",
            decided_by=front_desk,
            services=[Service.objects.get(code="DISDIK-BSM")],
        )
    assert "Request a Dinas Sosial recommendation" in error.value.messages[0]
    with pytest.raises(ValidationError) as error:
        services.case_open(
            person=person,
            pathway="in_verification",
            decided_by=front_desk,
            services=[Service.objects.get(code="DINKES-PBI")],
        )
    assert "report the household at the data desk" in error.value.messages[0]
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_one_refused_need_sends_none_of_the_case(front_desk):
    person = _person("in_verification")
    needs = list(Service.objects.filter(code__in=["DINKES-BEROBAT", "DISDIK-BSM"]))
    with pytest.raises(ValidationError):
        services.case_open(
            person=person, pathway="in_verification", decided_by=front_desk, services=needs
        )
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_another_pathway_than_proposed_needs_a_reason(front_desk):
    person = _person("in_verification")
    berobat = [Service.objects.get(code="DINKES-BEROBAT")]
    with pytest.raises(ValidationError, match="Give the reason"):
        services.case_open(person=person, pathway="listed", decided_by=front_desk, services=berobat)
    case = services.case_open(
        person=person,
        pathway="listed",
        decided_by=front_desk,
        services=berobat,
        override_reason="SK Bupati 2026 lists them; registry not yet imported",
    )
    assert case.pathway == "listed" and case.proposed_pathway == "in_verification"


@pytest.mark.django_db
def test_recommendation_pathway_needs_an_approved_recommendation(front_desk, head):
    person = _person("not_listed")
    berobat = [Service.objects.get(code="DINKES-BEROBAT")]
    with pytest.raises(ValidationError, match="Request a recommendation"):
        services.case_open(
            person=person, pathway="recommendation", decided_by=front_desk, services=berobat
        )
    rec = services.recommendation_request(
        person=person, reason="Sakit", assessment="Miskin", requested_by=front_desk
    )
    with pytest.raises(ValidationError):
        services.case_open(
            person=person, pathway="recommendation", decided_by=front_desk, services=berobat
        )
    rec = services.recommendation_decide(recommendation=rec, approve=True, decided_by=head)
    assert rec.number.endswith(
        f"/REK/DINSOS/{ROMAN_MONTHS[timezone.localdate().month]}/{timezone.localdate().year}"
    )
    case = services.case_open(
        person=person, pathway="recommendation", decided_by=front_desk, services=berobat
    )
    assert case.recommendation == rec


@pytest.mark.django_db
def test_refusing_a_recommendation_needs_a_reason_and_is_final(front_desk, head, listed_person):
    rec = services.recommendation_request(
        person=listed_person, reason="r", assessment="a", requested_by=front_desk
    )
    with pytest.raises(ValidationError):
        services.recommendation_decide(recommendation=rec, approve=False, decided_by=head)
    rec = services.recommendation_decide(
        recommendation=rec, approve=False, decided_by=head, note="Mampu"
    )
    assert rec.status == Recommendation.Status.REFUSED and rec.number is None
    with pytest.raises(ValidationError, match="already"):
        services.recommendation_decide(recommendation=rec, approve=True, decided_by=head)


def _attempt(make_referral, actor, action, state):
    """Try one action from one state; return what went wrong (empty when the table was obeyed)."""
    referral = make_referral(status=state)
    if state == S.WAITING:
        Referral.objects.filter(pk=referral.pk).update(waitlisted_at=timezone.now())
    events_before = referral.events.count()
    kwargs = {"note": "reason"}
    if action == "complete":
        kwargs.update(outcome="granted", outcome_detail="Biaya ditanggung")
    allowed = state in services.TRANSITIONS[action].sources
    try:
        with transaction.atomic():
            result = services.referral_transition(
                referral=referral, action=action, actor=actor, **kwargs
            )
    except ValidationError:
        referral.refresh_from_db()
        if allowed:
            return "refused but allowed"
        if referral.status != state or referral.events.count() != events_before:
            return "refused but changed"
        return ""
    if not allowed:
        return "allowed but forbidden"
    last = result.events.order_by("-pk").first()
    if result.status != services.TRANSITIONS[action].target:
        return f"went to {result.status}"
    if (last.from_status, last.to_status, last.action) != (state, result.status, action):
        return "no event on the timeline"
    return ""


@pytest.mark.django_db
def test_each_transition_is_allowed_only_from_its_states(make_referral, alice):
    """Every (action, state) pair: the allowed ones move and leave an event, the others change nothing."""
    outcomes = {
        (action, state): _attempt(make_referral, alice, action, state)
        for action in services.TRANSITIONS
        for state in S.values
    }
    wrong = {pair: problem for pair, problem in outcomes.items() if problem}
    assert not wrong
    allowed = {pair for pair in outcomes if pair[1] in services.TRANSITIONS[pair[0]].sources}
    assert ("accept", "received") in allowed and ("accept", "sent") not in allowed
    assert ("complete", "accepted") in allowed and ("complete", "received") not in allowed
    assert not any(state in Referral.CLOSED_STATUSES for _, state in allowed)


@pytest.mark.django_db
def test_completing_needs_an_outcome_and_what_or_why(make_referral, alice):
    referral = make_referral(status=S.ACCEPTED)
    with pytest.raises(ValidationError, match="outcome"):
        services.referral_transition(referral=referral, action="complete", actor=alice)
    with pytest.raises(ValidationError, match="why"):
        services.referral_transition(
            referral=referral, action="complete", actor=alice, outcome="not_granted"
        )
    done = services.referral_transition(
        referral=referral,
        action="complete",
        actor=alice,
        outcome="not_granted",
        outcome_detail="Sudah ditanggung BPJS",
    )
    assert (done.status, done.outcome, done.outcome_detail) == (
        "completed",
        "not_granted",
        "Sudah ditanggung BPJS",
    )
    assert done.news_at is not None


@pytest.mark.django_db
def test_rejecting_and_returning_need_a_reason(make_referral, alice):
    referral = make_referral(status=S.RECEIVED)
    for action in ("reject", "return"):
        with pytest.raises(ValidationError, match="reason"):
            services.referral_transition(referral=referral, action=action, actor=alice, note="  ")


@pytest.mark.django_db
def test_returned_referral_is_sent_again_with_a_new_due_date(make_referral, alice, front_desk):
    referral = make_referral()
    later = timezone.now() + datetime.timedelta(days=5)
    referral = services.referral_transition(
        referral=referral, action="return", actor=alice, note="KTP buram"
    )
    referral = services.referral_transition(
        referral=referral, action="resend", actor=front_desk, at=later
    )
    assert referral.status == S.SENT
    assert referral.due_on == working_days_after(timezone.localdate(later), 3)


@pytest.mark.django_db
def test_the_timeline_is_append_only_in_the_database(make_referral):
    event = make_referral().events.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ReferralEvent.objects.filter(pk=event.pk).update(note="rewritten")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        event.delete()


@pytest.mark.django_db
def test_overdue_is_an_open_referral_past_its_due_date(make_referral):
    referral = make_referral()
    Referral.objects.filter(pk=referral.pk).update(
        due_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    referral.refresh_from_db()
    assert referral.is_overdue
    Referral.objects.filter(pk=referral.pk).update(status=S.COMPLETED, outcome="granted")
    referral.refresh_from_db()
    assert not referral.is_overdue


@pytest.mark.django_db
def test_the_homes_overdue_count_follows_due_dates_and_states(make_referral, front_desk):
    """The home pages' overdue comes from the open referrals per provider and due date: it equals
    a plain count through due dates moved, answers and deletions."""
    today = timezone.localdate()
    referrals = [make_referral(code) for code in ("DINKES-BEROBAT", "DINKES-BEROBAT", "DINSOS-UEP")]
    referrals.append(make_referral(status="received"))

    def plain():
        return sum(r.is_overdue for r in Referral.objects.all())

    for days, expected_change in ((-1, 4), (0, 0), (5, 0)):
        Referral.objects.update(due_on=today + datetime.timedelta(days=days))
        assert referral_counts_for_home(front_desk)["overdue"] == plain() == expected_change
    Referral.objects.filter(pk=referrals[0].pk).update(due_on=today - datetime.timedelta(days=2))
    Referral.objects.filter(pk=referrals[1].pk).update(due_on=None)
    Referral.objects.filter(pk=referrals[3].pk).update(due_on=today - datetime.timedelta(days=3))
    assert referral_counts_for_home(front_desk)["overdue"] == plain() == 2
    Referral.objects.filter(pk=referrals[3].pk).update(status=S.COMPLETED, outcome="granted", outcome_detail="x")
    assert referral_counts_for_home(front_desk)["overdue"] == plain() == 1
    assert differences() == []


# --- concurrency ---------------------------------------------------------------------------


def _run_in_threads(count, target):
    barrier = threading.Barrier(count)
    results = [None] * count

    def run(index):
        try:
            barrier.wait()
            results[index] = ("ok", target(index))
        except Exception as error:  # noqa: BLE001 - the test inspects what each thread got
            results[index] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.mark.django_db(transaction=True)
def test_two_officers_accepting_at_once_exactly_one_wins_and_the_other_is_told_who(
    make_referral, alice, bob
):
    referral = make_referral(status=S.RECEIVED)
    officers = [alice, bob]
    results = _run_in_threads(
        2,
        lambda i: services.referral_transition(
            referral=referral, action="accept", actor=officers[i]
        ),
    )
    wins = [r for r in results if r[0] == "ok"]
    losses = [r[1] for r in results if r[0] == "error"]
    assert len(wins) == 1 and len(losses) == 1
    winner = wins[0][1].accepted_by
    assert isinstance(losses[0], ValidationError)
    assert "already accepted" in losses[0].messages[0]
    assert (
        winner.get_username() in losses[0].messages[0]
        or winner.get_full_name() in losses[0].messages[0]
    )
    assert Referral.objects.get(pk=referral.pk).events.filter(action="accept").count() == 1


@pytest.mark.django_db(transaction=True)
def test_referral_numbers_are_gap_free_under_concurrent_creation(front_desk, listed_person):
    berobat = Service.objects.get(code="DINKES-BEROBAT")

    def create(index):
        with transaction.atomic():
            case = services.case_open(
                person=listed_person, pathway="listed", decided_by=front_desk, services=[berobat]
            )
            if index % 4 == 3:
                raise RuntimeError("the front desk's request failed after numbering")
            return case

    results = _run_in_threads(8, create)
    assert sum(1 for r in results if r[0] == "ok") == 6
    year = timezone.localdate().year
    sequences = sorted(Referral.objects.filter(year=year).values_list("sequence", flat=True))
    assert sequences == list(range(1, 7))


# --- quota and waiting list ------------------------------------------------------------------


@pytest.fixture
def small_quota(reference_data):
    service = Service.objects.get(code="DINSOS-ASLUT")
    service.quota = 2
    service.save()
    return service


@pytest.mark.django_db
def test_full_quota_puts_referrals_on_an_ordered_waiting_list_and_frees_move_the_next_up(
    small_quota, front_desk, make_referral
):
    from referrals.selectors import waiting_position

    dinsos = factories.officer(username="hasanah", provider=small_quota.provider)
    made = [
        make_referral(
            "DINSOS-ASLUT", person=factories.PersonFactory(household__registry_status="listed")
        )
        for _ in range(5)
    ]
    assert [r.status for r in made] == ["sent", "sent", "waiting", "waiting", "waiting"]
    assert [waiting_position(r) for r in made[2:]] == [1, 2, 3]
    assert made[2].due_on is None

    # A place frees when a holder ends without a grant: the first in line is sent, in the same transaction.
    services.referral_transition(referral=made[0], action="receive", actor=dinsos)
    services.referral_transition(referral=made[0], action="accept", actor=dinsos)
    services.referral_transition(
        referral=made[0],
        action="complete",
        actor=dinsos,
        outcome="not_granted",
        outcome_detail="Meninggal",
    )
    statuses = {r.pk: r.status for r in Referral.objects.filter(pk__in=[m.pk for m in made])}
    assert [statuses[r.pk] for r in made] == ["completed", "sent", "sent", "waiting", "waiting"]
    promoted = Referral.objects.get(pk=made[2].pk)
    assert promoted.due_on is not None
    assert promoted.events.filter(action="promote").exists()
    assert [waiting_position(Referral.objects.get(pk=r.pk)) for r in made[3:]] == [1, 2]

    # A granted completion keeps the place; cancelling a waiting one frees none; a rejection frees one.
    services.referral_transition(referral=made[1], action="receive", actor=dinsos)
    services.referral_transition(referral=made[1], action="accept", actor=dinsos)
    services.referral_transition(
        referral=made[1],
        action="complete",
        actor=dinsos,
        outcome="granted",
        outcome_detail="Rp 300.000/bulan",
    )
    services.referral_transition(referral=made[3], action="cancel", actor=front_desk, note="Pindah")
    assert Referral.objects.get(pk=made[4].pk).status == "waiting"
    services.referral_transition(
        referral=made[2], action="reject", actor=dinsos, note="Usia di bawah 60"
    )
    assert Referral.objects.get(pk=made[4].pk).status == "sent"


# --- documents -----------------------------------------------------------------------------


def _png():
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(buffer, format="PNG")
    return SimpleUploadedFile("ktp.png", buffer.getvalue(), content_type="image/png")


@pytest.mark.django_db
def test_checklist_keeps_only_the_services_documents(make_referral, front_desk):
    referral = make_referral()
    referral = services.referral_set_documents(
        referral=referral, documents=["KTP", "Surat palsu"], actor=front_desk
    )
    assert referral.documents_checked == ["KTP"]
    assert referral.missing_documents == ["Kartu Keluarga", "Surat rujukan puskesmas"]


@pytest.mark.django_db
def test_attachments_accept_pdf_by_its_bytes_and_re_encode_images(make_referral, front_desk):
    referral = make_referral()
    pdf = services.referral_attach(
        referral=referral,
        actor=front_desk,
        document="KTP",
        upload=SimpleUploadedFile(
            "ktp.pdf", b"%PDF-1.4\n%fake but starts right\n", content_type="application/pdf"
        ),
    )
    assert pdf.kind == "pdf" and pdf.document == "KTP"
    image = services.referral_attach(referral=referral, actor=front_desk, upload=_png())
    assert image.kind == "image"
    assert image.file.read(3) == b"\xff\xd8\xff"  # re-encoded as JPEG
    assert "private" in image.file.path


@pytest.mark.django_db
def test_attachments_refuse_a_fake_pdf_and_a_too_large_file(make_referral, front_desk, settings):
    referral = make_referral()
    with pytest.raises(ValidationError, match="not a PDF"):
        services.referral_attach(
            referral=referral,
            actor=front_desk,
            upload=SimpleUploadedFile(
                "x.pdf", b"<html>not a pdf</html>", content_type="application/pdf"
            ),
        )
    settings.UPLOAD_IMAGE_MAX_BYTES = 100
    with pytest.raises(ValidationError, match="too large"):
        services.referral_attach(
            referral=referral,
            actor=front_desk,
            upload=SimpleUploadedFile(
                "big.pdf", b"%PDF-" + b"0" * 200, content_type="application/pdf"
            ),
        )
    with pytest.raises(ValidationError):
        services.referral_attach(
            referral=referral,
            actor=front_desk,
            upload=SimpleUploadedFile(
                "x.png", b"MZ\x90\x00 not an image", content_type="image/png"
            ),
        )
    assert not referral.attachments.exists()


@pytest.mark.django_db
def test_a_case_opened_on_a_visit_links_the_ticket_to_the_person(front_desk, listed_person):
    from desks.models import Desk
    from desks.services import ticket_issue

    ticket = ticket_issue(desk=Desk.objects.get(code="REG"), issued_by=front_desk)
    berobat = [Service.objects.get(code="DINKES-BEROBAT")]
    case = services.case_open(
        person=listed_person,
        pathway="listed",
        decided_by=front_desk,
        services=berobat,
        ticket=ticket,
    )
    ticket.refresh_from_db()
    assert case.ticket == ticket and ticket.person == listed_person
    other = factories.PersonFactory(household__registry_status="listed")
    with pytest.raises(ValidationError, match="another person"):
        services.case_open(
            person=other, pathway="listed", decided_by=front_desk, services=berobat, ticket=ticket
        )


@pytest.mark.django_db(transaction=True)
def test_two_referrals_racing_for_the_last_quota_place_one_is_sent_one_waits(
    small_quota, front_desk
):
    people = [factories.PersonFactory(household__registry_status="listed") for _ in range(3)]
    services.case_open(
        person=people[0], pathway="listed", decided_by=front_desk, services=[small_quota]
    )

    def create(index):
        case = services.case_open(
            person=people[index + 1],
            pathway="listed",
            decided_by=front_desk,
            services=[small_quota],
        )
        return case.referrals.get().status

    results = _run_in_threads(2, create)
    assert sorted(r[1] for r in results) == ["sent", "waiting"]
