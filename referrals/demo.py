"""Demo cases, referrals and recommendations over the last 12 months, in every state.

Everything goes through the real services (numbering, waiting list, timeline) with
back-dated times, so the demo looks like a year of the office's work.
"""

from __future__ import annotations

import datetime
import random

from django.db.models import Exists, OuterRef
from django.utils import timezone

from clients.models import Person, RegistryStatus
from desks.models import Desk, Pathway, Provider, Service, Ticket, TicketStep
from desks.services import ticket_issue
from pandu import roles
from referrals import case_services, services
from referrals.case_records import follow_up_plan
from referrals.models import Case, CaseFollowUp, Recommendation, Referral
from referrals.selectors import NEWS_ROLES

# The end state of each demo referral, cycled: (actions after sending, outcome)
STORIES = [
    ([], ""),
    (["receive"], ""),
    (["receive", "accept"], ""),
    (["receive", "accept", "complete"], "granted"),
    (["receive", "accept", "complete"], "not_granted"),
    (["receive", "reject"], ""),
    (["return"], ""),
    (["return", "resend", "receive", "accept", "complete"], "granted"),
    (["cancel"], ""),
    (["receive", "accept", "complete"], "granted"),
]
CLOSED_STORIES = [
    story for story in STORIES if story[0] and story[0][-1] in ("complete", "reject", "cancel")
]
GRANTED = [
    "Bantuan diberikan sesuai ketentuan",
    "Kartu diterbitkan",
    "Biaya ditanggung penuh",
    "Disalurkan tahap I",
]
# What a grant was worth in rupiah (a school fee, a hospital bill, a business start-up, a house).
AID_VALUES = [350_000, 750_000, 1_250_000, 2_500_000, 5_000_000, 15_000_000]
NOT_GRANTED = [
    "Sudah menerima program serupa tahun ini",
    "Anggaran tahun berjalan habis",
    "Tidak memenuhi syarat usia",
]
REJECT = [
    "Domisili di luar wilayah layanan",
    "Data tidak sesuai dengan KTP",
    "Layanan sudah diterima dari program lain",
]
RETURN = [
    "Surat keterangan belum ada",
    "KTP tidak terbaca, mohon dipindai ulang",
    "Kartu Keluarga belum dilampirkan",
]
CANCEL = ["Warga pindah ke luar daerah", "Permohonan dibatalkan oleh warga"]


def _actor_for(provider: Provider, users: dict, front_desk):
    by_provider = {"DINKES": "dinkes", "DISDIK": "disdik", "DINSOS": "dinsos", "BAZNAS": "baznas"}
    return users.get(by_provider.get(provider.code, ""), front_desk) or front_desk


def _play(referral, story, *, at, now, rng, users, front_desk):
    actions, outcome = story
    for action in actions:
        at = min(
            at + datetime.timedelta(hours=rng.randint(2, 96)), now - datetime.timedelta(minutes=5)
        )
        side = services.TRANSITIONS[action].side
        actor = (
            front_desk
            if side == services.FRONT
            else _actor_for(referral.provider, users, front_desk)
        )
        kwargs = {}
        if action == "complete":
            kwargs = {
                "outcome": outcome,
                "outcome_detail": rng.choice(GRANTED if outcome == "granted" else NOT_GRANTED),
            }
            if outcome == "granted":  # most grants in rupiah, some in kind
                if rng.random() < 0.7:
                    kwargs["aid_value"] = rng.choice(AID_VALUES)
                else:
                    kwargs["aid_kind"] = Referral.AidKind.IN_KIND
        elif action in ("reject", "return", "cancel"):
            kwargs = {
                "note": rng.choice({"reject": REJECT, "return": RETURN, "cancel": CANCEL}[action])
            }
        referral = services.referral_transition(
            referral=referral, action=action, actor=actor, at=at, **kwargs
        )
    return referral


def _past_visit(person, *, at, registration) -> None:
    """The visit on which a case was opened: a ticket of that day at the registration desk,
    served (the monthly report's visits and persons served)."""
    if registration is None:
        return
    ticket = ticket_issue(desk=registration, person=person, at=at)
    Ticket.objects.filter(pk=ticket.pk).update(status=Ticket.Status.DONE)
    TicketStep.objects.filter(ticket=ticket).update(called_at=at, served_at=at, status=Ticket.Status.DONE,
                                                    done_at=at + datetime.timedelta(minutes=12))


def _recommend(person, *, at, users, approve=True, decide=True):
    rec = services.recommendation_request(
        person=person,
        reason="Warga tidak mampu, belum terdaftar dalam basis data terpadu; membutuhkan layanan segera.",
        assessment="Kunjungan rumah: rumah semi permanen, penghasilan tidak tetap di bawah UMK, tanggungan 3 orang.",
        requested_by=users["loket"],
    )
    Recommendation.objects.filter(pk=rec.pk).update(created_at=at)
    if decide:
        rec = services.recommendation_decide(
            recommendation=rec,
            approve=approve,
            decided_by=users["kepala"],
            at=at + datetime.timedelta(hours=20),
            note=""
            if approve
            else "Masih memiliki penghasilan tetap; ajukan verivali melalui loket data.",
        )
    return rec


def seed(*, today: datetime.date, rng: random.Random, users: dict, cases: int = 60) -> int:
    """Make about ``cases`` cases with their referrals; returns how many referrals exist."""
    now = timezone.now()
    front_desk = users["loket"]
    persons = list(
        Person.objects.filter(household__isnull=False, relationship=Person.Relationship.HEAD)
        .select_related("household")
        .order_by("pk")
    )
    if not persons:
        return 0
    catalogue = list(
        Service.objects.filter(is_active=True, quota__isnull=True).select_related("provider")
    )
    starts = sorted(
        now - datetime.timedelta(days=rng.randint(1, 360), hours=rng.randint(0, 8))
        for _ in range(cases)
    )
    registration = Desk.objects.filter(kind=Desk.Kind.REGISTRATION).order_by("pk").first()
    story_index = 0
    for index, at in enumerate(starts):
        person = persons[index % len(persons)]
        pathway = services.pathway_proposed(person.household)
        if pathway == Pathway.RECOMMENDATION and not services.latest_approved_recommendation(
            person
        ):
            _recommend(person, at=at - datetime.timedelta(days=3), users=users)
        eligible = [s for s in catalogue if s.accepts(pathway)]
        chosen = rng.sample(eligible, k=min(len(eligible), 1 + (index % 3 == 0)))
        case = services.case_open(
            person=person, pathway=pathway, decided_by=front_desk, services=chosen, at=at
        )
        _past_visit(person, at=at, registration=registration)
        for referral in case.referrals.select_related("provider", "service"):
            if referral.required_documents:
                checked = referral.required_documents[
                    : rng.randint(1, len(referral.required_documents))
                ]
                services.referral_set_documents(
                    referral=referral, documents=checked, actor=front_desk
                )
            # Old cases are mostly closed by now; a few stay open (and overdue).
            old = now - at > datetime.timedelta(days=45) and story_index % 6
            stories = CLOSED_STORIES if old else STORIES
            _play(
                referral,
                stories[story_index % len(stories)],
                at=at,
                now=now,
                rng=rng,
                users=users,
                front_desk=front_desk,
            )
            story_index += 1
    _seed_quota_service(persons, now=now, rng=rng, users=users, front_desk=front_desk)
    services.quota_upkeep(at=now)  # seeded early in a year, last year's places are free again
    _seed_open_recommendations(users=users, now=now)
    _seed_casework(users=users, now=now)
    # The front desk and the data team have read the old news; the last week's is still new.
    old_news = list(Referral.objects.filter(news_at__lt=now - datetime.timedelta(days=7)))
    for user in users.values():
        if roles.has_role(user, *NEWS_ROLES):
            services.referrals_mark_read(user=user, referrals=old_news)
    return Referral.objects.count()


def _seed_quota_service(persons, *, now, rng, users, front_desk) -> None:
    """ASLUT: every place taken and a waiting list; one place freed so the next moved up."""
    service = (
        Service.objects.filter(quota__isnull=False)
        .select_related("provider")
        .order_by("code")
        .first()
    )
    if service is None:
        return
    candidates = [
        p for p in persons if p.household.registry_status != RegistryStatus.NOT_LISTED
    ] or persons
    total = service.quota + 5
    at = now - datetime.timedelta(days=150)
    granted = (["receive", "accept", "complete"], "granted")
    stories = [granted, granted, (["receive", "accept"], ""), granted, granted, (["receive"], "")]
    made = []
    for index in range(total):
        person = candidates[index % len(candidates)]
        at = at + datetime.timedelta(days=rng.randint(1, 5), hours=rng.randint(0, 6))
        pathway = services.pathway_proposed(person.household)
        case = services.case_open(
            person=person, pathway=pathway, decided_by=front_desk, services=[service], at=at
        )
        referral = case.referrals.get()
        if referral.status != Referral.Status.WAITING:
            referral = _play(
                referral,
                stories[index % len(stories)],
                at=at,
                now=now,
                rng=rng,
                users=users,
                front_desk=front_desk,
            )
        made.append(referral)
    holder = next(r for r in made if r.status == Referral.Status.ACCEPTED)
    services.referral_transition(
        referral=holder,
        action="complete",
        actor=_actor_for(service.provider, users, front_desk),
        outcome=Referral.Outcome.NOT_GRANTED,
        outcome_detail="Meninggal dunia sebelum bantuan disalurkan",
        at=now - datetime.timedelta(days=2),
    )


def _seed_open_recommendations(*, users, now) -> None:
    """A recommendation waiting for the head, and a refused one, for people not listed."""
    unlisted = list(
        Person.objects.filter(household__registry_status=RegistryStatus.NOT_LISTED)
        .exclude(recommendations__isnull=False)
        .order_by("pk")[:3]
    )
    for index, person in enumerate(unlisted):
        _recommend(
            person,
            at=now - datetime.timedelta(days=5 - index),
            users=users,
            approve=False,
            decide=index == 0,
        )


def _seed_casework(*, users, now) -> None:
    """Case management: the old cases followed up and closed (by each reason); the case
    worker's caseload of recent cases, with a need handled at the office, one still open, a
    follow-up done, one planned and one overdue; a closed case reopened."""
    front_desk, peksos = users["loket"], users.get("peksos")
    today = timezone.localdate(now)
    # The aid of old cases was checked: their follow-ups are done, the cases closed.
    old = now - datetime.timedelta(days=60)
    for follow_up in CaseFollowUp.objects.filter(done_on__isnull=True, due_on__lt=today - datetime.timedelta(days=14)):
        case_services.follow_up_complete(
            follow_up=follow_up, actor=front_desk, done_on=follow_up.due_on,
            note="Warga mengonfirmasi bantuan sudah diterima.",
        )
    reasons = [Case.ClosureReason.ALL_MET, Case.ClosureReason.REFERRED_OUT, Case.ClosureReason.ALL_MET,
               Case.ClosureReason.UNREACHABLE, Case.ClosureReason.WITHDREW]
    notes = {
        Case.ClosureReason.ALL_MET: "Semua kebutuhan terpenuhi.",
        Case.ClosureReason.REFERRED_OUT: "Ditangani lebih lanjut oleh SKPD tujuan.",
        Case.ClosureReason.UNREACHABLE: "Tiga kali dihubungi dan dikunjungi, warga tidak ditemukan.",
        Case.ClosureReason.WITHDREW: "Warga menyatakan tidak lagi memerlukan layanan.",
    }
    ended = Referral.objects.filter(case=OuterRef("pk")).exclude(status__in=Referral.CLOSED_STATUSES)
    for index, case in enumerate(Case.objects.filter(status=Case.Status.OPEN, created_at__lt=old)
                                 .exclude(Exists(ended)).order_by("created_at")):
        reason = reasons[index % len(reasons)]
        case_services.case_close(case=case, reason=reason, note=notes[reason], actor=front_desk,
                                 at=max(case.created_at + datetime.timedelta(days=40), old))
    if peksos is None:
        return
    recent = list(Case.objects.filter(status=Case.Status.OPEN).order_by("-created_at")[:5])
    for index, case in enumerate(recent):
        case_services.case_assign(case=case, case_worker=peksos, actor=front_desk,
                                  at=case.created_at + datetime.timedelta(minutes=30))
        if index == 0:
            need = case_services.case_need_record(
                case=case, domain="civil_documents", actor=peksos,
                description="Anak belum memiliki akta kelahiran",
            )
            case_services.need_handle(need=need, actor=peksos,
                                      note="Formulir akta kelahiran diisi bersama warga; diantar ke Disdukcapil.")
            case_services.case_need_record(
                case=case, domain="protection", actor=peksos,
                description="Anak putus sekolah, perlu pendampingan keluarga",
            )
            follow_up_plan(case=case, due_on=today - datetime.timedelta(days=3), planned_by=peksos,
                           purpose="Kunjungan rumah: cek kondisi anak dan keluarga",
                           at=case.created_at + datetime.timedelta(hours=1))
        elif index == 1:
            follow_up_plan(case=case, due_on=today + datetime.timedelta(days=7), planned_by=peksos,
                           purpose="Telepon warga: apakah berkas sudah dilengkapi")
            done = follow_up_plan(case=case, due_on=today - datetime.timedelta(days=2), planned_by=peksos,
                                  purpose="Cek kedatangan warga ke puskesmas",
                                  at=case.created_at + datetime.timedelta(hours=1))
            case_services.follow_up_complete(follow_up=done, actor=peksos, done_on=today - datetime.timedelta(days=2),
                                             note="Warga sudah berobat; surat rujukan diterima puskesmas.")
        elif index == 2:
            need = case_services.case_need_record(case=case, domain="livelihood", actor=peksos,
                                                  description="Ingin pelatihan usaha kecil")
            case_services.need_handle(need=need, actor=peksos,
                                      note="Diberi informasi jadwal pelatihan Dinas Sosial bulan depan.")
    # A case closed as met comes back: the citizen says the aid never arrived.
    closed = Case.objects.filter(status=Case.Status.CLOSED, closure_reason=Case.ClosureReason.ALL_MET).first()
    if closed is not None:
        case = case_services.case_reopen(case=closed, actor=front_desk,
                                         reason="Warga datang lagi: bantuan belum diterima.")
        case_services.case_assign(case=case, case_worker=peksos, actor=front_desk)
        follow_up_plan(case=case, due_on=today + datetime.timedelta(days=3), planned_by=peksos,
                       purpose="Konfirmasi penyaluran bantuan ke SKPD")
