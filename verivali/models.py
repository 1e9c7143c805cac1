from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from pandu.files import private_files
from pandu.models import TimeStampedModel


class ScorecardVersion(TimeStampedModel):
    """A version of the local poverty scorecard. Once an assessment uses it, it is never edited."""

    number = models.PositiveSmallIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=150)
    notes = models.TextField(_("notes"), blank=True)
    is_current = models.BooleanField(_("current"), default=False)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=models.Q(is_current=True),
                name="scorecard_one_current",
            )
        ]

    def __str__(self) -> str:
        return f"v{self.number} · {self.name}"


class Indicator(models.Model):
    class Group(models.TextChoices):
        HOUSE = "house", _("House")
        SOCIOECONOMIC = "socioeconomic", _("Socio-economic")

    version = models.ForeignKey(
        ScorecardVersion, on_delete=models.CASCADE, related_name="indicators"
    )
    position = models.PositiveSmallIntegerField(_("position"))
    group = models.CharField(_("group"), max_length=15, choices=Group.choices)
    code = models.CharField(_("code"), max_length=10)
    text = models.CharField(_("question"), max_length=200)
    option_1 = models.CharField(_("answer scored 1 (poorest)"), max_length=150)
    option_2 = models.CharField(_("answer scored 2"), max_length=150)
    option_3 = models.CharField(_("answer scored 3"), max_length=150)
    option_4 = models.CharField(_("answer scored 4 (least poor)"), max_length=150)

    class Meta:
        ordering = ["version", "position"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["version", "code"], name="indicator_code_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text}"

    @property
    def options(self) -> list[tuple[int, str]]:
        return [(1, self.option_1), (2, self.option_2), (3, self.option_3), (4, self.option_4)]


class ClassBand(models.Model):
    """A welfare class of a version: an inclusive score range (default 16–32 very poor, …)."""

    class WelfareClass(models.TextChoices):
        VERY_POOR = "very_poor", _("Very poor")
        POOR = "poor", _("Poor")
        NEAR_POOR = "near_poor", _("Near poor")
        NOT_POOR = "not_poor", _("Not poor")

    version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="bands")
    welfare_class = models.CharField(_("class"), max_length=10, choices=WelfareClass.choices)
    min_score = models.PositiveSmallIntegerField(_("lowest score"))
    max_score = models.PositiveSmallIntegerField(_("highest score"))

    class Meta:
        ordering = ["version", "min_score"]
        verbose_name = _("class band")
        verbose_name_plural = _("class bands")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "welfare_class"], name="band_class_per_version"
            ),
            models.CheckConstraint(
                condition=models.Q(min_score__lte=models.F("max_score")), name="band_ordered"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_welfare_class_display()} {self.min_score}–{self.max_score}"


class Batch(TimeStampedModel):
    """A verivali round (e.g. "Verivali September–Desember 2014") that ends in a Bupati decree (SK)."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("In the field")
        APPROVED = "approved", _("Approved by decree")

    name = models.CharField(_("name"), max_length=150)
    code = models.SlugField(
        _("code"),
        max_length=40,
        unique=True,
        help_text=_("Short code, becomes the registry source, e.g. VV-2026-1."),
    )
    period_start = models.DateField(_("period from"))
    period_end = models.DateField(_("period until"))
    kecamatan = models.ManyToManyField(
        "clients.Region", related_name="verivali_batches", verbose_name=_("kecamatan"), blank=True
    )
    villages = models.ManyToManyField(
        "clients.Region",
        related_name="verivali_village_batches",
        verbose_name=_("villages"),
        blank=True,
        help_text=_("Empty means every village of the chosen kecamatan."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    decree_number = models.CharField(_("decree (SK) number"), max_length=80, blank=True)
    decree_date = models.DateField(_("decree (SK) date"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-period_start", "-pk"]
        verbose_name = _("verivali batch")
        verbose_name_plural = _("verivali batches")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_start__lte=F("period_end")), name="batch_period_ordered"
            ),
            models.CheckConstraint(
                condition=~Q(status="approved")
                | (~Q(decree_number="") & Q(decree_date__isnull=False)),
                name="batch_approved_has_decree",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def registry_source(self) -> str:
        return f"VERIVALI:{self.code}"


class Assessment(TimeStampedModel):
    """One household in a batch: its assignment to a surveyor, the survey, and its validation."""

    class Status(models.TextChoices):
        UNASSIGNED = "unassigned", _("Not assigned")
        ASSIGNED = "assigned", _("Assigned")
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned to surveyor")
        VALIDATED = "validated", _("Validated")
        APPROVED = "approved", _("Approved")

    class Source(models.TextChoices):
        COMPLAINT = "complaint", _("Complaint (in verification)")
        REGISTRY = "registry", _("Registry re-verification")
        MANUAL = "manual", _("Added by the validator")
        FIELD = "field", _("New household found in the field")

    class Outcome(models.TextChoices):
        """What the surveyor found of the listed household (``docs/verivali.md``: what the decree
        does with each)."""

        FOUND = "found", _("Found as listed")
        NOT_FOUND = "not_found", _("Not found")
        MOVED = "moved", _("Moved")
        SPLIT = "split", _("Split into new households")
        DUPLICATE = "duplicate", _("Duplicate of another household")

    # Outcomes scored with the scorecard: always (found), when the surveyor answered every
    # question (moved, split: the household at its new address, the household that stays), never.
    SCORED_ALWAYS = (Outcome.FOUND,)
    SCORED_OPTIONALLY = (Outcome.MOVED, Outcome.SPLIT)

    # The surveyor may still change these.
    OPEN_FOR_SURVEYOR = (Status.ASSIGNED, Status.DRAFT, Status.RETURNED)
    SCORED = (Status.SUBMITTED, Status.VALIDATED, Status.APPROVED)

    batch = models.ForeignKey(
        Batch, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("batch")
    )
    household = models.ForeignKey(
        "clients.Household",
        on_delete=models.PROTECT,
        related_name="verivali_assessments",
        verbose_name=_("household"),
    )
    source = models.CharField(
        _("entered from"), max_length=10, choices=Source.choices, default=Source.MANUAL
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.UNASSIGNED
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verivali_assignments",
        verbose_name=_("surveyor"),
    )
    version = models.ForeignKey(
        ScorecardVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("scorecard version"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.FOUND
    )
    outcome_note = models.CharField(_("what the surveyor found"), max_length=255, blank=True)
    moved_village = models.ForeignKey(
        "clients.Region",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved to village"),
    )
    moved_address = models.CharField(_("new address"), max_length=255, blank=True)
    moved_outside_place = models.CharField(
        _("moved outside Berau, to"), max_length=150, blank=True
    )
    duplicate_of = models.ForeignKey(
        "clients.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("duplicate of"),
    )
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)
    welfare_class = models.CharField(
        _("class"), max_length=10, choices=ClassBand.WelfareClass.choices, blank=True
    )
    latitude = models.DecimalField(
        _("latitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    longitude = models.DecimalField(
        _("longitude"), max_digits=9, decimal_places=6, null=True, blank=True
    )
    location_accuracy = models.PositiveIntegerField(
        _("location accuracy (m)"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    return_note = models.TextField(_("note from the validator"), blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    validated_at = models.DateTimeField(_("validated at"), null=True, blank=True)
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "household__village__code", "household__address", "pk"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "household"], name="assessment_household_once_per_batch"
            ),
            models.CheckConstraint(
                condition=Q(status="unassigned") | Q(surveyor__isnull=False),
                name="assessment_assigned_has_surveyor",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["submitted", "validated", "approved"], outcome="found")
                | (Q(score__isnull=False) & Q(version__isnull=False) & ~Q(welfare_class="")),
                name="assessment_found_scored_when_submitted",
            ),
            models.CheckConstraint(
                condition=Q(score__isnull=True, welfare_class="")
                | Q(score__isnull=False, version__isnull=False) & ~Q(welfare_class=""),
                name="assessment_score_has_class",
            ),
            models.CheckConstraint(
                condition=~Q(outcome__in=["not_found", "duplicate"]) | Q(score__isnull=True),
                name="assessment_unscored_outcomes",
            ),
            models.CheckConstraint(
                condition=Q(duplicate_of__isnull=True) | ~Q(duplicate_of=F("household")),
                name="assessment_duplicate_not_itself",
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True) | (Q(latitude__gte=-90) & Q(latitude__lte=90)),
                name="assessment_latitude_range",
            ),
            models.CheckConstraint(
                condition=Q(longitude__isnull=True)
                | (Q(longitude__gte=-180) & Q(longitude__lte=180)),
                name="assessment_longitude_range",
            ),
        ]
        indexes = [
            models.Index(fields=["batch", "status"], name="assessment_batch_status_idx"),
            models.Index(fields=["surveyor", "status"], name="assessment_surveyor_idx"),
            models.Index(fields=["household", "submitted_at"], name="assessment_household_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.batch} · {self.household}"

    @property
    def is_open_for_surveyor(self) -> bool:
        return self.status in self.OPEN_FOR_SURVEYOR

    @property
    def is_new_household(self) -> bool:
        return self.source == self.Source.FIELD

    @property
    def is_scored(self) -> bool:
        return self.score is not None


class SplitHousehold(models.Model):
    """A new household the surveyor found split off the surveyed one: its KK number, head and
    members (members of the surveyed household). Created in the registry by the decree."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="splits", verbose_name=_("assessment")
    )
    kk_number = models.CharField(_("KK number of the new household"), max_length=16)
    address = models.CharField(_("address"), max_length=255, blank=True)
    head = models.ForeignKey(
        "clients.Person",
        on_delete=models.PROTECT,
        related_name="verivali_split_heads",
        verbose_name=_("head"),
    )
    household = models.ForeignKey(
        "clients.Household",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("household created by the decree"),
    )

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = _("split-off household")
        verbose_name_plural = _("split-off households")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kk_number"], name="split_kk_once_per_assessment"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} → KK {self.kk_number}"


class SplitMember(models.Model):
    """A member who leaves into a split-off household (the head among them)."""

    split = models.ForeignKey(
        SplitHousehold, on_delete=models.CASCADE, related_name="memberships"
    )
    person = models.ForeignKey(
        "clients.Person",
        on_delete=models.PROTECT,
        related_name="verivali_split_memberships",
        verbose_name=_("member who leaves"),
    )

    class Meta:
        ordering = ["split", "pk"]
        verbose_name = _("member who leaves")
        verbose_name_plural = _("members who leave")
        constraints = [
            models.UniqueConstraint(fields=["split", "person"], name="split_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.split_id}: {self.person_id}"


class Answer(models.Model):
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField(_("answer (1–4)"))

    class Meta:
        ordering = ["indicator__position"]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="answer_once_per_indicator"
            ),
            models.CheckConstraint(
                condition=Q(value__gte=1) & Q(value__lte=4), name="answer_value_1_to_4"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code}={self.value}"


class AssessmentPhoto(TimeStampedModel):
    """A survey photo and its thumbnail. When the retention period after the batch's decree
    has passed, both files are deleted and the row stays with ``removed_at`` (``pandu.office.retention``)."""

    class Kind(models.TextChoices):
        FRONT = "front", _("House front")
        INSIDE = "inside", _("Inside the house")
        FAMILY = "family", _("The family")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="photos")
    kind = models.CharField(_("photo of"), max_length=10, choices=Kind.choices)
    image = models.FileField(
        _("photo"), storage=private_files, upload_to="verivali/photos/%Y/%m/", blank=True
    )
    thumbnail = models.FileField(
        _("thumbnail"), storage=private_files, upload_to="verivali/thumbs/%Y/%m/", blank=True
    )
    width = models.PositiveIntegerField(default=0)
    height = models.PositiveIntegerField(default=0)
    removed_at = models.DateTimeField(_("file removed at"), null=True, blank=True)
    removed_note = models.CharField(_("why the file was removed"), max_length=255, blank=True)

    class Meta:
        ordering = ["assessment", "kind"]
        verbose_name = _("survey photo")
        verbose_name_plural = _("survey photos")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "kind"], name="photo_once_per_kind"),
            models.CheckConstraint(
                condition=Q(removed_at__isnull=True) | (Q(image="") & Q(thumbnail="")),
                name="photo_removed_has_no_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.assessment_id} {self.kind}"


class MemberCheck(models.Model):
    """What the surveyor found about a member (or a newborn to add); applied to the person on validation."""

    class Finding(models.TextChoices):
        PRESENT = "present", _("Lives here")
        MOVED = "moved", _("Moved away")
        DECEASED = "deceased", _("Died")
        BORN = "born", _("Born (new member)")
        MOVED_KK = "moved_kk", _("Moved to another KK")

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="member_checks"
    )
    person = models.ForeignKey(
        "clients.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verivali_checks",
    )
    finding = models.CharField(
        _("finding"), max_length=10, choices=Finding.choices, default=Finding.PRESENT
    )
    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    on = models.DateField(_("date of the death or move"), null=True, blank=True)
    relationship = models.CharField(
        _("relationship to the head of the new KK"), max_length=20, blank=True
    )
    to_household = models.ForeignKey(
        "clients.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("moved to the household"),
    )
    # What the surveyor confirmed or corrected of the registry (pre-filled from it; written back
    # to the person when the survey is validated). ``details_checked``: the values are the
    # surveyor's, an empty one means "none".
    details_checked = models.BooleanField(_("details checked"), default=False)
    education = models.CharField(_("education"), max_length=60, blank=True)
    occupation = models.CharField(_("occupation"), max_length=80, blank=True)
    chronic_illness = models.CharField(_("chronic illness"), max_length=255, blank=True)
    disability_kinds = ArrayField(
        models.CharField(max_length=12), blank=True, default=list, verbose_name=_("kinds of disability")
    )

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = _("member check")
        verbose_name_plural = _("member checks")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "person"],
                condition=Q(person__isnull=False),
                name="member_check_once",
            ),
            models.CheckConstraint(
                condition=Q(person__isnull=False) | (Q(finding="born") & ~Q(full_name="")),
                name="member_check_person_or_newborn",
            ),
            models.CheckConstraint(
                condition=~Q(finding="moved_kk") | Q(to_household__isnull=False),
                name="member_check_moved_kk_has_household",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person or self.full_name}: {self.finding}"


class OfflineSend(TimeStampedModel):
    """What a surveyor's phone sent from the offline app (``verivali.offline``): a survey or a
    photo, under the UUID the phone made for it. The UUID is unique, so a send the phone repeats
    (its answer was lost on the way back) finds this row and gets ``result`` again instead of
    making a second survey or photo. Only accepted sends are kept; a refused one (conflict,
    invalid) leaves nothing and may be repeated after the surveyor resolved it."""

    class Kind(models.TextChoices):
        SURVEY = "survey", _("Survey")
        PHOTO = "photo", _("Photo")
        FIELD = "field", _("New household found in the field")

    uuid = models.UUIDField(_("UUID made on the phone"), unique=True)
    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="offline_sends"
    )
    surveyor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    result = models.JSONField(_("answer given to the phone"), default=dict)

    class Meta:
        ordering = ["assessment", "created_at"]
        verbose_name = _("offline send")
        verbose_name_plural = _("offline sends")

    def __str__(self) -> str:
        return f"{self.kind} {self.uuid}"
