"""Reads of the verivali app: who may open what, results with their breakdown, progress, what-if."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from itertools import groupby

from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from clients.models import Household, Person, Region, RegistryStatus
from pandu import roles
from verivali.models import (
    Answer,
    Assessment,
    AssessmentPhoto,
    Batch,
    ClassBand,
    MemberCheck,
    ScorecardVersion,
)
from verivali.prefill import MemberFacts
from verivali.scoring import IncompleteAnswers, ScoreResult, score_answers

# Roles that see every batch and assessment of the office.
OFFICE_ROLES = (roles.VALIDATOR, roles.HEAD, roles.ADMIN)
# Roles that may read assessments and their photos, as on a household's page (the clients app's
# office-wide roles).
READ_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, *OFFICE_ROLES)
CLASS_ORDER = [c.value for c in ClassBand.WelfareClass]


# --- scorecard versions -------------------------------------------------------------------


def version_is_used(version: ScorecardVersion) -> bool:
    return version.pk is not None and Assessment.objects.filter(version=version).exists()


def current_version() -> ScorecardVersion | None:
    return (
        ScorecardVersion.objects.filter(is_current=True).first() or ScorecardVersion.objects.first()
    )


def version_parts(version: ScorecardVersion) -> tuple[list, list]:
    """(indicators in order, bands) of a version, cached on the instance."""
    cached = getattr(version, "_parts", None)
    if cached is None:
        cached = (
            list(version.indicators.order_by("position")),
            list(version.bands.order_by("min_score")),
        )
        version._parts = cached
    return cached


# --- access -------------------------------------------------------------------------------


def surveyors() -> QuerySet:
    return (
        get_user_model()
        .objects.filter(groups__name=roles.SURVEYOR, is_active=True)
        .order_by("first_name", "username")
    )


def batches_for_user(user) -> QuerySet[Batch]:
    if roles.has_role(user, *OFFICE_ROLES):
        return Batch.objects.all()
    return Batch.objects.none()


def get_batch_for_user(user, pk) -> Batch:
    return get_object_or_404(batches_for_user(user), pk=pk)


def assessments_for_user(user) -> QuerySet[Assessment]:
    """Office-wide roles see every assessment (read-only for front desk and data officer, as on the
    household page); a surveyor only the ones assigned to them."""
    if roles.has_role(user, *READ_ROLES):
        return Assessment.objects.all()
    if roles.has_role(user, roles.SURVEYOR):
        return Assessment.objects.filter(surveyor=user)
    return Assessment.objects.none()


def get_assessment_for_user(user, pk) -> Assessment:
    return get_object_or_404(
        assessments_for_user(user).select_related(
            "batch",
            "household__village__parent",
            "surveyor",
            "version",
            "validated_by",
            "moved_village__parent",
            "duplicate_of__village",
        ),
        pk=pk,
    )


def get_assignment_for_user(user, pk) -> Assessment:
    """The surveyor's own assignment (for the survey form); anybody else's is a 404."""
    return get_object_or_404(
        Assessment.objects.select_related("batch", "household__village__parent", "version").exclude(
            status=Assessment.Status.UNASSIGNED
        ),
        pk=pk,
        surveyor=user,
    )


def batches_of_surveyor(user) -> QuerySet[Batch]:
    """The open batches a surveyor has an assignment in: where they may propose a new household."""
    if not roles.has_role(user, roles.SURVEYOR):
        return Batch.objects.none()
    return (
        Batch.objects.exclude(status=Batch.Status.APPROVED)
        .filter(pk__in=Assessment.objects.filter(surveyor=user).values("batch_id"))
        .order_by("-period_start", "-pk")
    )


def get_batch_for_surveyor(user, pk) -> Batch:
    return get_object_or_404(batches_of_surveyor(user), pk=pk)


def photos_for_user(user) -> QuerySet[AssessmentPhoto]:
    return AssessmentPhoto.objects.filter(assessment__in=assessments_for_user(user))


def get_photo_for_user(user, pk) -> AssessmentPhoto:
    return get_object_or_404(photos_for_user(user), pk=pk)


def person_filter_for_surveyor(user) -> Q | None:
    """Persons of the households a surveyor is working on (for clients.selectors.persons_for_user)."""
    if not roles.has_role(user, roles.SURVEYOR):
        return None
    working = (*Assessment.OPEN_FOR_SURVEYOR, Assessment.Status.SUBMITTED)
    return Q(
        household_id__in=Assessment.objects.filter(surveyor=user, status__in=working).values(
            "household_id"
        )
    )


# --- lists --------------------------------------------------------------------------------


def _members_in_order(queryset: QuerySet[Person]) -> QuerySet[Person]:
    """Head first, then the spouse, then the others from the oldest."""
    rank = Case(
        When(relationship=Person.Relationship.HEAD, then=Value(0)),
        When(relationship=Person.Relationship.SPOUSE, then=Value(1)),
        default=Value(2),
    )
    return queryset.order_by(rank, "birth_date", "pk")


def household_members(household: Household) -> list[Person]:
    return list(_members_in_order(household.members.all()))


def members_prefetch() -> Prefetch:
    return Prefetch("household__members", queryset=_members_in_order(Person.objects.all()))


@dataclass
class VillageGroup:
    village: Region
    assignments: list[Assessment]


def my_assignments(user, *, include_done: bool = False) -> list[VillageGroup]:
    """The surveyor's assignments grouped by village, with address and members."""
    queryset = (
        Assessment.objects.filter(surveyor=user)
        .select_related("batch", "household__village__parent")
        .prefetch_related(members_prefetch())
        .order_by(
            "household__village__parent__name",
            "household__village__name",
            "household__address",
            "pk",
        )
    )
    if not include_done:
        queryset = queryset.filter(
            status__in=(*Assessment.OPEN_FOR_SURVEYOR, Assessment.Status.SUBMITTED)
        )
    return [
        VillageGroup(village=village, assignments=list(items))
        for village, items in groupby(queryset, key=lambda a: a.household.village)
    ]


def batch_assessments(batch: Batch, *, status: str = "", village_id=None) -> QuerySet[Assessment]:
    queryset = batch.assessments.select_related("household__village__parent", "surveyor").order_by(
        "household__village__name", "household__address", "pk"
    )
    if status:
        queryset = queryset.filter(status=status)
    if village_id:
        queryset = queryset.filter(household__village_id=village_id)
    return queryset


def batch_villages(batch: Batch) -> QuerySet[Region]:
    """The villages the batch covers: its chosen villages, or every village of its kecamatan."""
    chosen = batch.villages.all()
    if chosen.exists():
        return chosen.select_related("parent").order_by("parent__name", "name")
    return (
        Region.objects.filter(level__in=Region.VILLAGE_LEVELS, parent__in=batch.kecamatan.all())
        .select_related("parent")
        .order_by("parent__name", "name")
    )


def candidate_households(batch: Batch, *, source: str) -> QuerySet[Household]:
    """Households of the batch's area that could enter it from complaints or the registry."""

    status = (
        RegistryStatus.IN_VERIFICATION
        if source == Assessment.Source.COMPLAINT
        else RegistryStatus.LISTED
    )
    return Household.objects.filter(
        village__in=batch_villages(batch), registry_status=status
    ).exclude(verivali_assessments__batch=batch)


def review_queue() -> QuerySet[Assessment]:
    return (
        Assessment.objects.filter(status=Assessment.Status.SUBMITTED)
        .select_related("batch", "household__village__parent", "surveyor")
        .order_by("submitted_at", "pk")
    )


# --- results ------------------------------------------------------------------------------


def assessment_answers(assessment: Assessment) -> dict[str, int]:
    return dict(assessment.answers.values_list("indicator__code", "value"))


def assessment_result(assessment: Assessment) -> ScoreResult | None:
    """The breakdown of a scored assessment with the version it was made with."""
    if assessment.version_id is None or assessment.score is None:
        return None
    indicators, bands = version_parts(assessment.version)
    try:
        return score_answers(indicators, assessment_answers(assessment), bands)
    except (IncompleteAnswers, ValueError):
        return None


@dataclass
class AssessmentView:
    assessment: Assessment
    result: ScoreResult | None
    photos: list = field(default_factory=list)


def household_assessments(household: Household, *, surveyor=None) -> list[AssessmentView]:
    """A household's assessments, newest first, with score breakdown and photos (for its page);
    with ``surveyor``, only that surveyor's."""
    assessments = (
        Assessment.objects.filter(household=household, **({"surveyor": surveyor} if surveyor else {}))
        .exclude(status=Assessment.Status.UNASSIGNED)
        .select_related("batch", "version", "surveyor")
        .prefetch_related("photos")
        .order_by("-submitted_at", "-pk")
    )
    return [AssessmentView(a, assessment_result(a), list(a.photos.all())) for a in assessments]


def member_facts(assessment: Assessment, members: list[Person]) -> dict[int, MemberFacts]:
    """What the survey form shows of each member: the surveyor's saved check, else the registry."""
    checks = {c.person_id: c for c in assessment.member_checks.filter(person__isnull=False)}
    facts = {}
    for person in members:
        check = checks.get(person.pk)
        lives_here = (
            check.finding == MemberCheck.Finding.PRESENT
            if check
            else person.life_status == Person.LifeStatus.ACTIVE
        )
        is_head = person.relationship == Person.Relationship.HEAD
        if check is not None and check.details_checked:
            facts[person.pk] = MemberFacts(
                is_head=is_head, lives_here=lives_here, education=check.education,
                occupation=check.occupation, chronic_illness=check.chronic_illness,
                disability_kinds=tuple(check.disability_kinds), checked=True,
            )
        else:
            facts[person.pk] = MemberFacts(
                is_head=is_head, lives_here=lives_here, education=person.education,
                occupation=person.occupation, chronic_illness=person.chronic_illness,
                disability_kinds=tuple(person.disability_kinds),
                disability_words=person.disability,
            )
    return facts


def assessment_outcome(assessment: Assessment) -> dict:
    """The outcome's details for the pages: the splits with their members, the members moved to
    another KK."""
    return {
        "splits": list(
            assessment.splits.select_related("head", "household").prefetch_related(
                "memberships__person"
            )
        ),
        "moved_kk": list(
            assessment.member_checks.filter(finding=MemberCheck.Finding.MOVED_KK).select_related(
                "person", "to_household"
            )
        ),
    }


# --- progress -----------------------------------------------------------------------------


def _progress_counts() -> dict:
    s = Assessment.Status
    return {
        "total": Count("id"),
        "assigned": Count("id", filter=~Q(status=s.UNASSIGNED)),
        "surveyed": Count("id", filter=Q(submitted_at__isnull=False)),
        "validated": Count("id", filter=Q(status__in=[s.VALIDATED, s.APPROVED])),
        "returned": Count("id", filter=Q(status=s.RETURNED)),
        "approved": Count("id", filter=Q(status=s.APPROVED)),
        "to_review": Count("id", filter=Q(status=s.SUBMITTED)),
    }


def batch_progress(batch: Batch) -> list[dict]:
    """Per kecamatan: assigned / surveyed / validated / returned / approved (and a total row last)."""
    rows = list(
        batch.assessments.values(kecamatan=F("household__village__parent__name"))
        .annotate(**_progress_counts())
        .order_by("kecamatan")
    )
    if rows:
        total = {key: sum(row[key] for row in rows) for key in _progress_counts()}
        rows.append({"kecamatan": None, **total})
    return rows


def batch_outcome_counts(batch: Batch) -> list[dict]:
    """Surveys sent to the office (submitted, validated, approved) per outcome, every outcome
    listed; and the new households found in the field."""
    sent = batch.assessments.filter(status__in=Assessment.SCORED)
    counts = dict(sent.values_list("outcome").annotate(n=Count("id")).values_list("outcome", "n"))
    rows = [
        {"code": code, "label": label, "count": counts.get(code, 0)}
        for code, label in Assessment.Outcome.choices
    ]
    rows.append(
        {
            "code": "new",
            "label": Assessment.Source.FIELD.label,
            "count": batch.assessments.filter(source=Assessment.Source.FIELD).count(),
        }
    )
    return rows


def batches_with_progress(user) -> QuerySet[Batch]:
    s = Assessment.Status
    return (
        batches_for_user(user)
        .annotate(
            total=Count("assessments"),
            assigned=Count("assessments", filter=~Q(assessments__status=s.UNASSIGNED)),
            surveyed=Count("assessments", filter=Q(assessments__submitted_at__isnull=False)),
            validated=Count(
                "assessments", filter=Q(assessments__status__in=[s.VALIDATED, s.APPROVED])
            ),
            returned=Count("assessments", filter=Q(assessments__status=s.RETURNED)),
            approved=Count("assessments", filter=Q(assessments__status=s.APPROVED)),
        )
        .order_by("-period_start", "-pk")
    )


# --- what-if ------------------------------------------------------------------------------


@dataclass
class WhatIf:
    version: ScorecardVersion
    households: int = 0
    moved: int = 0
    unscorable: int = 0
    matrix: dict[str, dict[str, int]] = field(default_factory=dict)
    by_kecamatan: list[dict] = field(default_factory=list)

    def rows(self) -> list[dict]:
        """The from × to matrix as table rows for the template."""
        labels = dict(ClassBand.WelfareClass.choices)
        return [
            {
                "label": labels[before],
                "cells": [
                    {"n": self.matrix[before][after], "same": before == after}
                    for after in CLASS_ORDER
                ],
            }
            for before in CLASS_ORDER
        ]


def whatif(version: ScorecardVersion) -> WhatIf:
    """How many households would change class if their latest scored assessment used ``version``."""
    latest = (
        Assessment.objects.filter(status__in=Assessment.SCORED, score__isnull=False)
        .order_by("household_id", "-submitted_at", "-pk")
        .distinct("household_id")
    )
    rows = list(latest.values_list("pk", "welfare_class", "household__village__parent__name"))
    answers: dict[int, dict[str, int]] = defaultdict(dict)
    for assessment_id, code, value in Answer.objects.filter(
        assessment_id__in=latest.values("pk")
    ).values_list("assessment_id", "indicator__code", "value"):
        answers[assessment_id][code] = value
    indicators, bands = version_parts(version)
    result = WhatIf(version=version, matrix={c: dict.fromkeys(CLASS_ORDER, 0) for c in CLASS_ORDER})
    per_kecamatan: dict[str, Counter] = defaultdict(Counter)
    for pk, before, kecamatan in rows:
        try:
            after = score_answers(indicators, answers[pk], bands).welfare_class
        except (IncompleteAnswers, ValueError):
            result.unscorable += 1
            continue
        result.households += 1
        result.matrix[before][after] += 1
        counter = per_kecamatan[kecamatan]
        counter["households"] += 1
        if before != after:
            result.moved += 1
            counter["moved"] += 1
            counter[(before, after)] += 1
            key = "poorer" if CLASS_ORDER.index(after) < CLASS_ORDER.index(before) else "less_poor"
            counter[key] += 1
    labels = dict(ClassBand.WelfareClass.choices)
    for kecamatan in sorted(per_kecamatan):
        counter = per_kecamatan[kecamatan]
        result.by_kecamatan.append(
            {
                "kecamatan": kecamatan,
                "households": counter["households"],
                "moved": counter["moved"],
                "poorer": counter["poorer"],
                "less_poor": counter["less_poor"],
                "moves": [
                    (labels[key[0]], labels[key[1]], n)
                    for key, n in sorted(counter.items(), key=lambda kv: str(kv[0]))
                    if isinstance(key, tuple)
                ],
            }
        )
    return result


# --- home ---------------------------------------------------------------------------------


def home_counts(user) -> dict[str, int]:
    counts: dict[str, int] = {}
    if roles.has_role(user, roles.SURVEYOR):
        mine = Assessment.objects.filter(surveyor=user)
        counts["to_survey"] = mine.filter(status__in=Assessment.OPEN_FOR_SURVEYOR).count()
        counts["returned"] = mine.filter(status=Assessment.Status.RETURNED).count()
    if roles.has_role(user, *OFFICE_ROLES):
        counts["to_review"] = review_queue().count()
        counts["unassigned"] = Assessment.objects.filter(
            status=Assessment.Status.UNASSIGNED,
            batch__status__in=[Batch.Status.DRAFT, Batch.Status.ACTIVE],
        ).count()
        counts["to_approve"] = (
            Batch.objects.exclude(status=Batch.Status.APPROVED)
            .filter(assessments__status=Assessment.Status.VALIDATED)
            .distinct()
            .count()
        )
    return counts


def latest_validated_assessments() -> QuerySet[Assessment]:
    """Each household's latest validated (or approved) assessment: its current welfare class."""
    s = Assessment.Status
    return (
        Assessment.objects.filter(status__in=[s.VALIDATED, s.APPROVED], score__isnull=False)
        .order_by("household_id", "-validated_at", "-pk")
        .distinct("household_id")
    )


WELFARE_RANK = {code: rank for rank, code in enumerate(ClassBand.WelfareClass.values)}  # very poor = 0


def welfare_rank_expression(household_ref):
    """The rank of the household's latest validated welfare class (0 = very poor), or null."""
    latest = (
        Assessment.objects.filter(
            household_id=household_ref,
            status__in=[Assessment.Status.VALIDATED, Assessment.Status.APPROVED],
            score__isnull=False,
        )
        .order_by("-validated_at", "-pk")
        .annotate(
            rank=Case(*[When(welfare_class=code, then=Value(rank)) for code, rank in WELFARE_RANK.items()],
                      output_field=IntegerField())
        )
        .values("rank")[:1]
    )
    return Subquery(latest, output_field=IntegerField())


def welfare_rank_label(rank: int | None) -> str:
    if rank is None:
        return str(_("not assessed yet"))
    return str(ClassBand.WelfareClass.choices[rank][1])


def households_in_welfare_class(welfare_class: str) -> QuerySet[Assessment]:
    """Ids of the households whose latest validated assessment puts them in this class."""
    return Assessment.objects.filter(
        pk__in=latest_validated_assessments().values("pk"), welfare_class=welfare_class
    ).values("household_id")


def welfare_class_counts(*, kecamatan: Region | None = None) -> list[dict]:
    """Households per welfare class, from each household's latest validated assessment."""
    latest = latest_validated_assessments()
    if kecamatan is not None:
        latest = latest.filter(household__village__parent=kecamatan)
    counts = dict(
        Assessment.objects.filter(pk__in=latest.values("pk"))
        .values_list("welfare_class")
        .annotate(n=Count("id"))
        .values_list("welfare_class", "n")
    )
    return [{"code": code, "label": label, "count": counts.get(code, 0)} for code, label in ClassBand.WelfareClass.choices]


def dashboard_progress(*, kecamatan: Region | None = None) -> list[dict]:
    """Per batch (newest first): assigned / surveyed / validated / returned / approved, in a kecamatan."""
    assessments = Assessment.objects.all()
    if kecamatan is not None:
        assessments = assessments.filter(household__village__parent=kecamatan)
    rows = (
        assessments.values("batch_id", "batch__name", "batch__code", "batch__status", "batch__period_start")
        .annotate(**_progress_counts())
        .order_by("-batch__period_start", "-batch_id")
    )
    return list(rows)


def photos_past_retention(*, approved_before: datetime.datetime) -> QuerySet[AssessmentPhoto]:
    """Survey photos still stored of batches whose decree was recorded before ``approved_before``
    (every assessment of the batch: the round is closed, nothing of it changes any more)."""
    return (
        AssessmentPhoto.objects.filter(
            removed_at__isnull=True,
            assessment__batch__status=Batch.Status.APPROVED,
            assessment__batch__approved_at__lt=approved_before,
        )
        .select_related("assessment__batch")
        .order_by("pk")
    )
