import datetime
import uuid

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Length
from django.db.models.lookups import Exact
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from pandu.files import private_files
from pandu.models import TimeStampedModel


class NameKey(Func):
    """``pandu_name_key(text)``: the SQL normaliser of names (its current text is in
    clients/migrations/0011_person_name_key_trigger.py).

    Lower case, no accents, no titles or degrees, "bin"/"binti" dropped, old spellings
    (oe, dj, tj, nj, sj, ch) and the variants of Muhammad folded, doubled letters single.
    """

    function = "pandu_name_key"
    output_field = models.TextField()


class NameKeyField(models.TextField):
    """``Person.name_key``: ``pandu_name_key(full_name)``, which the database trigger
    ``person_name_key`` (migration clients 0011_person_name_key_trigger) sets on every insert and every change
    of the name, whatever the statement wrote. Returned after an insert, so a created person
    holds its key."""

    db_returning = True


def person_photo_path(instance, filename: str) -> str:
    return f"persons/{uuid.uuid4().hex}.jpg"


def house_photo_path(instance, filename: str) -> str:
    return f"houses/{uuid.uuid4().hex}.jpg"


class Region(models.Model):
    """Kemendagri administrative region: province → regency → kecamatan → kelurahan/kampung."""

    class Level(models.TextChoices):
        PROVINCE = "province", _("Province")
        REGENCY = "regency", _("Regency")
        DISTRICT = "district", _("Kecamatan")
        KELURAHAN = "kelurahan", _("Kelurahan")
        KAMPUNG = "kampung", _("Desa/kampung")

    VILLAGE_LEVELS = (Level.KELURAHAN, Level.KAMPUNG)

    code = models.CharField(_("Kemendagri code"), max_length=13, unique=True)
    name = models.CharField(_("name"), max_length=100)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        indexes = [models.Index(fields=["level", "name"], name="region_level_name_idx")]

    def __str__(self) -> str:
        return f"{self.name.title()} ({self.code})"


class PMKSCategory(models.Model):
    """Pemerlu Pelayanan Kesejahteraan Sosial category (Permensos 8/2012)."""

    code = models.CharField(_("code"), max_length=10, unique=True)
    name_id = models.CharField(_("name (Indonesian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    source = models.CharField(_("legal source"), max_length=60, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("PMKS category")
        verbose_name_plural = _("PMKS categories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_en if (get_language() or "id").startswith("en") else self.name_id


class DisabilityKind(models.TextChoices):
    """The kinds of disability a person is recorded with (UU 8/2016 on persons with disabilities:
    physical, intellectual, mental and sensory; the paper's Table 1 counts sight, hearing/speech
    and "ganda" apart). ``MULTIPLE`` is for a record that says "ganda" without saying which kinds;
    a person with two or more kinds is multiple anyway."""

    PHYSICAL = "physical", _("Physical (daksa)")
    INTELLECTUAL = "intellectual", _("Intellectual (grahita)")
    MENTAL = "mental", _("Mental (psychosocial)")
    SIGHT = "sight", _("Sensory: sight (netra)")
    HEARING = "hearing", _("Sensory: hearing (rungu)")
    SPEECH = "speech", _("Sensory: speech (wicara)")
    MULTIPLE = "multiple", _("Multiple (ganda), kinds not known")


class DisabilitySeverity(models.TextChoices):
    MILD = "mild", _("Mild")
    MODERATE = "moderate", _("Moderate")
    SEVERE = "severe", _("Severe")


class RegistryStatus(models.TextChoices):
    LISTED = "listed", _("Listed")
    IN_VERIFICATION = "in_verification", _("In verification")
    NOT_LISTED = "not_listed", _("Not listed")


def null_or_16_digits(field: str) -> Q:
    """A NIK or KK number column: empty (NULL) or sixteen characters, none of them not a digit.
    The same as ^[0-9]{16}$, which costs PostgreSQL four times as much on every insert (a
    counted repetition in a regular expression)."""
    return Q(**{f"{field}__isnull": True}) | Q(Exact(Length(field), 16), ~Q(**{f"{field}__regex": r"[^0-9]"}))


class Household(TimeStampedModel):
    # NULL, not "": unique only when present.
    kk_number = models.CharField(_("KK number"), max_length=16, null=True, blank=True)  # noqa: DJ001
    address = models.CharField(_("address"), max_length=255)
    rt = models.CharField(_("RT"), max_length=3, blank=True)
    rw = models.CharField(_("RW"), max_length=3, blank=True)
    village = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="households",
        verbose_name=_("kelurahan/kampung"),
        limit_choices_to={"level__in": Region.VILLAGE_LEVELS},
    )
    registry_status = models.CharField(
        _("registry status"),
        max_length=20,
        choices=RegistryStatus.choices,
        default=RegistryStatus.NOT_LISTED,
    )
    registry_source = models.CharField(_("registry source"), max_length=60, blank=True)
    registry_year = models.PositiveSmallIntegerField(_("registry year"), null=True, blank=True)
    # The national registry's identifiers and welfare decile (optional columns ID_DTKS, DESIL,
    # TANGGAL_DATA of the registry template).
    national_id = models.CharField(_("ID DTKS/DTSEN"), max_length=40, blank=True, default="", db_default="")
    decile = models.PositiveSmallIntegerField(
        _("welfare decile (desil)"), null=True, blank=True,
        help_text=_("1 is the poorest tenth of the country's households, 10 the richest."),
    )
    decile_as_of = models.DateField(_("decile as of"), null=True, blank=True)
    house_photo = models.FileField(
        _("house photo"), storage=private_files, upload_to=house_photo_path, blank=True
    )
    house_photo_thumb = models.FileField(storage=private_files, upload_to=house_photo_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["kk_number"], condition=Q(kk_number__isnull=False), name="household_kk_unique"
            ),
            models.CheckConstraint(condition=null_or_16_digits("kk_number"), name="household_kk_16_digits"),
            models.CheckConstraint(condition=Q(decile__isnull=True) | Q(decile__gte=1, decile__lte=10),
                                   name="household_decile_1_to_10"),
        ]
        indexes = [
            models.Index(fields=["village", "registry_status"], name="household_village_status_idx"),
            models.Index(fields=["registry_status", "registry_source"], name="household_status_source_idx"),
        ]

    def __str__(self) -> str:
        return self.kk_number or _("Household without KK #%(pk)s") % {"pk": self.pk}


class Person(TimeStampedModel):
    class Sex(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    class Relationship(models.TextChoices):
        HEAD = "head", _("Head of household")
        SPOUSE = "spouse", _("Spouse")
        CHILD = "child", _("Child")
        CHILD_IN_LAW = "child_in_law", _("Child-in-law")
        GRANDCHILD = "grandchild", _("Grandchild")
        PARENT = "parent", _("Parent")
        PARENT_IN_LAW = "parent_in_law", _("Parent-in-law")
        OTHER_RELATIVE = "other_relative", _("Other relative")
        HOUSEHOLD_HELPER = "helper", _("Household helper")
        OTHER = "other", _("Other")

    class LifeStatus(models.TextChoices):
        ACTIVE = "active", _("Lives here")
        MOVED = "moved", _("Moved away")
        DECEASED = "deceased", _("Deceased")

    # No index of its own: person_household_rel_idx (household, relationship) serves the lookups
    # by household.
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("household"),
        db_index=False,
    )
    # NULL, not "": some people have no NIK (newborns, remote communities); unique when present.
    nik = models.CharField(_("NIK"), max_length=16, null=True, blank=True)  # noqa: DJ001
    no_nik_reason = models.CharField(_("reason for no NIK"), max_length=255, blank=True)
    full_name = models.CharField(_("full name"), max_length=150)
    # The search key: kept by PostgreSQL from full_name. Fuzzy search compares the distinct keys
    # (SearchName) and joins the persons by the exact key.
    name_key = NameKeyField(default="", blank=True, editable=False)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_place = models.CharField(_("place of birth"), max_length=100, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    relationship = models.CharField(
        _("relationship to head"), max_length=20, choices=Relationship.choices, default=Relationship.OTHER
    )
    education = models.CharField(_("education"), max_length=60, blank=True)
    occupation = models.CharField(_("occupation"), max_length=80, blank=True)
    disability = models.CharField(
        _("disability, in words"), max_length=255, blank=True,
        help_text=_("What the person or the record says (for example: kaki kiri diamputasi). The kinds and the "
                    "severity below are what the reports count."),
    )
    # The structured disability (the reports' Table 1 counts these). Database defaults too: bulk
    # loaders (COPY) that name their columns leave them out.
    disability_kinds = ArrayField(
        models.CharField(max_length=12, choices=DisabilityKind.choices), blank=True, default=list,
        db_default=Value([], output_field=ArrayField(models.CharField(max_length=12))),
        verbose_name=_("kinds of disability"),
    )
    disability_severity = models.CharField(
        _("severity of the disability"), max_length=10, choices=DisabilitySeverity.choices, blank=True,
        default="", db_default="",
    )
    # Set by the migration that structured the free text (clients 0019) where it could not tell the
    # kind: the data officer's list "Disabilities to review" until someone chooses the kinds.
    disability_to_review = models.BooleanField(
        _("disability to review"), default=False, db_default=False,
        help_text=_("The disability was written in words the kinds could not be read from."),
    )
    chronic_illness = models.CharField(_("chronic illness"), max_length=255, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    life_status = models.CharField(
        _("status"), max_length=10, choices=LifeStatus.choices, default=LifeStatus.ACTIVE
    )
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    pmks_categories = models.ManyToManyField(
        PMKSCategory, blank=True, related_name="persons", verbose_name=_("PMKS categories")
    )
    photo = models.FileField(_("photo"), storage=private_files, upload_to=person_photo_path, blank=True)
    photo_thumb = models.FileField(storage=private_files, upload_to=person_photo_path, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set once by pandu.office.privacy.person_anonymise: the record stays for the statistics, without
    # what identifies the person.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    # Indexed by person_anonymised_by_idx, over the few rows where it is set.
    anonymised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("anonymised by"), db_index=False,
    )
    # A database default too: bulk loaders (COPY) that name their columns leave it out.
    anonymisation_reason = models.TextField(
        _("reason for anonymising"), blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(fields=["nik"], condition=Q(nik__isnull=False), name="person_nik_unique"),
            models.CheckConstraint(condition=null_or_16_digits("nik"), name="person_nik_16_digits"),
            models.CheckConstraint(
                condition=Q(nik__isnull=False) | ~Q(no_nik_reason=""), name="person_nik_or_reason"
            ),
            models.CheckConstraint(
                condition=Q(anonymised_at__isnull=True) | ~Q(anonymisation_reason=""),
                name="person_anonymised_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(disability_severity="") | ~Q(disability_kinds=[]),
                name="person_severity_has_kind",
            ),
        ]
        indexes = [
            models.Index(fields=["household", "relationship"], name="person_household_rel_idx"),
            models.Index(fields=["birth_date"], name="person_birth_date_idx"),
            # name_key then id: the search reads the first persons of a name in order and stops.
            models.Index(fields=["name_key", "id"], name="person_name_key_id_idx"),
            # Nearly every person has none; deleting a user looks its PROTECT references up by
            # equality, which a partial index over the few set ones answers.
            models.Index(
                fields=["anonymised_by"], condition=Q(anonymised_by__isnull=False), name="person_anonymised_by_idx"
            ),
            # Table 1's disability rows (a few percent of the persons), read from the index alone.
            models.Index(
                fields=["household"], include=["disability_kinds", "disability_severity", "birth_date"],
                condition=~Q(disability_kinds=[]) & Q(life_status="active"), name="person_disability_idx",
            ),
            models.Index(
                fields=["id"], condition=Q(disability_to_review=True), name="person_disability_review_idx"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def masked_nik(self) -> str:
        return f"{'•' * 12}{self.nik[-4:]}" if self.nik else ""

    @property
    def is_anonymised(self) -> bool:
        return self.anonymised_at is not None

    @property
    def disability_kind_labels(self) -> list[str]:
        labels = dict(DisabilityKind.choices)
        return [str(labels.get(kind, kind)) for kind in self.disability_kinds]

    @property
    def age(self) -> int | None:
        """Whole years today (the office's date), None without a birth date."""
        if self.birth_date is None:
            return None
        today = timezone.localdate()
        return today.year - self.birth_date.year - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))


class SearchName(models.Model):
    """Each distinct Person.name_key once: fuzzy name search looks here first, then joins the
    persons by the exact key. Many people share a name, so this is several times smaller than
    the persons table. Kept by database triggers on clients_person (migration 0004). A key
    whose persons are gone joins to nobody, but a search still ranks it: the nightly job
    ``search_names_prune_nightly`` forgets such names and their words, and emptying the persons
    (TRUNCATE) empties both (migration 0024)."""

    key = models.TextField()
    words = models.GeneratedField(
        expression=Func(F("key"), Value(" "), function="string_to_array", output_field=ArrayField(models.TextField())),
        output_field=ArrayField(models.TextField()),
        db_persist=True,
    )

    class Meta:
        verbose_name = _("search name")
        verbose_name_plural = _("search names")
        # A constraint, not unique=True: no extra LIKE index that the search never uses.
        constraints = [models.UniqueConstraint(fields=["key"], name="search_name_key_unique")]
        indexes = [
            GinIndex(Length("key"), OpClass("key", name="gin_trgm_ops"), name="search_name_trgm"),
            GinIndex(fields=["words"], name="search_name_words"),
        ]

    def __str__(self) -> str:
        return self.key


class SearchWord(models.Model):
    """Each distinct word of the search names once. A typed word is matched against these few
    thousand words first; the names holding those words then come from SearchName's word index,
    so a query compares a few hundred names instead of every name sharing a trigram.
    Kept by the same database triggers as SearchName (migration 0007)."""

    word = models.TextField()

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")
        constraints = [models.UniqueConstraint(fields=["word"], name="search_word_unique")]
        indexes = [
            GinIndex(OpClass("word", name="gin_trgm_ops"), name="search_word_trgm"),
            models.Index(Length("word"), name="search_word_length"),
        ]

    def __str__(self) -> str:
        return self.word


class RegistryChange(models.Model):
    """History of a household's registry status: what it was, what it became, and why."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="registry_changes")
    at = models.DateTimeField(_("time"), auto_now_add=True)
    from_status = models.CharField(_("before"), max_length=20, choices=RegistryStatus.choices, blank=True)
    to_status = models.CharField(_("after"), max_length=20, choices=RegistryStatus.choices)
    source = models.CharField(_("registry source"), max_length=60, blank=True)
    year = models.PositiveSmallIntegerField(_("registry year"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    reference = models.CharField(
        _("reference"), max_length=120, blank=True, help_text=_("Decree, assessment, complaint or import file.")
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("registry change")
        verbose_name_plural = _("registry changes")
        indexes = [models.Index(fields=["household", "at"], name="registry_change_hh_idx")]

    def __str__(self) -> str:
        return f"{self.household}: {self.from_status or '-'} → {self.to_status}"


class ImportJob(TimeStampedModel):
    """A registry file uploaded in the browser: checked first (dry run), imported on request,
    in a background process whose progress the page polls."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        CHECKED = "checked", _("Checked, ready to import")
        QUEUED = "queued", _("Waiting to import")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")

    ACTIVE = (Status.CHECKING, Status.QUEUED, Status.RUNNING)

    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", storage=private_files)
    original_name = models.CharField(_("file name"), max_length=255)
    source = models.CharField(_("registry source"), max_length=60, blank=True)
    language = models.CharField(max_length=10, default="id")
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKING)
    stage = models.CharField(_("stage"), max_length=20, blank=True)
    rows_done = models.PositiveIntegerField(_("rows read"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in the file"), null=True, blank=True)
    preview_line = models.CharField(_("check result"), max_length=255, blank=True)
    preview_rejected = models.JSONField(_("first rejected rows"), default=list, blank=True)
    result_line = models.CharField(_("import result"), max_length=255, blank=True)
    error_report = models.FileField(
        _("error report"), upload_to="imports/%Y/%m/", storage=private_files, blank=True
    )
    error_message = models.TextField(_("error"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")

    def __str__(self) -> str:
        return f"#{self.pk} {self.original_name}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def percent(self) -> int:
        """Progress for the bar: reading is most of a check; writing is most of an import."""
        if self.status in (self.Status.DONE, self.Status.CHECKED):
            return 100
        share = {"read": 10, "checked": 50, "households": 70, "persons": 95}.get(self.stage, 0)
        if self.stage == "read" and self.rows_total:
            share = 10 + min(30, 30 * self.rows_done // self.rows_total)
        return share


class Complaint(TimeStampedModel):
    """A pengaduan at the data desk: not in the database, wrong data, or a complaint about a service."""

    class Kind(models.TextChoices):
        NOT_IN_DATABASE = "not_in_database", _("Poor but not in the database")
        WRONG_DATA = "wrong_data", _("Wrong data")
        SERVICE_COMPLAINT = "service_complaint", _("Complaint about a service")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        RESOLVED = "resolved", _("Resolved")
        REJECTED = "rejected", _("Rejected")

    CLOSED_STATUSES = (Status.RESOLVED, Status.REJECTED)
    OPEN_STATUSES = (Status.OPEN, Status.IN_PROGRESS)

    number = models.CharField(_("complaint number"), max_length=20, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints",
        verbose_name=_("household"),
    )
    person = models.ForeignKey(
        Person, on_delete=models.PROTECT, null=True, blank=True, related_name="complaints",
        verbose_name=_("person"),
    )
    complainant_name = models.CharField(_("complainant"), max_length=150, blank=True)
    complainant_phone = models.CharField(_("complainant's phone"), max_length=20, blank=True)
    description = models.TextField(_("description"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.OPEN)
    resolution = models.TextField(_("resolution"), blank=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("received by"),
    )
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("resolved by"),
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    due_on = models.DateField(
        _("due on"), help_text=_("Set when the complaint is received, from the days of its kind."),
    )
    # Where the complaint came from. By string reference: clients imports neither desks nor
    # referrals (the layers in pyproject.toml); those apps fill in the links (clients.hooks).
    ticket = models.ForeignKey(
        "desks.Ticket", on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints",
        verbose_name=_("visit (queue ticket)"),
    )
    case = models.ForeignKey(
        "referrals.Case", on_delete=models.SET_NULL, null=True, blank=True, related_name="complaints",
        verbose_name=_("case"),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        indexes = [
            models.Index(fields=["status", "kind", "created_at"], name="complaint_status_kind_idx"),
            # the overdue list and the home pages' count: open complaints past their due date
            models.Index(fields=["due_on"], name="complaint_open_due_idx",
                         condition=Q(status__in=["open", "in_progress"])),
            models.Index(fields=["created_at"], name="complaint_created_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="not_in_database") | Q(household__isnull=False),
                name="complaint_not_in_db_has_household",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_closed(self) -> bool:
        return self.status in self.CLOSED_STATUSES

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_on is not None and self.due_on < timezone.localdate()


class ComplaintDeadline(models.Model):
    """How many days the office gives itself to settle a complaint of each kind, and whether a
    verivali decree settles it. Edited by the administrator in the admin, without a deploy;
    ``load_reference_data`` adds a missing kind with the defaults and never overwrites a change."""

    # *default* working days, until the administrator changes them: a complaint about a service
    # is answered in 14; a data correction in 30; "not in the database" waits for a verivali
    # survey and the Bupati's decree, 90.
    DEFAULT_DAYS = {
        Complaint.Kind.NOT_IN_DATABASE: 90,
        Complaint.Kind.WRONG_DATA: 30,
        Complaint.Kind.SERVICE_COMPLAINT: 14,
    }
    DEFAULT_SETTLED_BY_DECREE = {Complaint.Kind.NOT_IN_DATABASE}

    kind = models.CharField(_("kind"), max_length=20, choices=Complaint.Kind.choices, unique=True)
    days = models.PositiveSmallIntegerField(
        _("working days to settle"),
        help_text=_("The due date is this many working days after the complaint is received (admin: office calendar)."),
    )
    settled_by_decree = models.BooleanField(
        _("settled by a verivali decree"), default=False,
        help_text=_("When the head approves a verivali batch by decree, the open complaints of this kind "
                    "about its households are resolved with the decree's number and date."),
    )

    class Meta:
        ordering = ["kind"]
        verbose_name = _("complaint deadline")
        verbose_name_plural = _("complaint deadlines")
        constraints = [models.CheckConstraint(condition=Q(days__gte=1), name="complaint_deadline_days_positive")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.days}"

    @classmethod
    def days_for(cls, kind: str) -> int:
        found = cls.objects.filter(kind=kind).values_list("days", flat=True).first()
        return found if found is not None else cls.DEFAULT_DAYS[kind]

    @classmethod
    def kinds_settled_by_decree(cls) -> set[str]:
        rows = dict(cls.objects.values_list("kind", "settled_by_decree"))
        return {kind for kind in Complaint.Kind.values
                if rows.get(kind, kind in cls.DEFAULT_SETTLED_BY_DECREE)}


class ComplaintEvent(models.Model):
    """A complaint's history: received, each change of status, who made it and when; a note when
    the system wrote it (the decree that settled it). The officer's own words are the complaint's
    resolution."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="events",
                                  verbose_name=_("complaint"))
    at = models.DateTimeField(_("time"), default=timezone.now)
    from_status = models.CharField(_("from"), max_length=12, blank=True, choices=Complaint.Status.choices)
    to_status = models.CharField(_("to"), max_length=12, choices=Complaint.Status.choices)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("by"))
    note = models.CharField(_("note"), max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_status} → {self.to_status}"


class RegistryCount(models.Model):
    """Households and persons per village, registry status and source.

    Kept exact by database triggers on households and persons (migration clients 0009_counters), in
    the same transaction as every change, so the dashboard and the home pages add up a few
    hundred rows instead of counting a million. Persons without a household are counted in
    the row without a village."""

    village = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    registry_status = models.CharField(max_length=20, blank=True)
    registry_source = models.CharField(max_length=60, blank=True)
    households = models.IntegerField(default=0)
    persons = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["village", "registry_status", "registry_source"], nulls_distinct=False,
                name="registry_count_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.village_id} {self.registry_status} {self.registry_source}: {self.households}/{self.persons}"


class PMKSCount(models.Model):
    """Living persons per PMKS category and village (the dashboard's Table 1), kept exact by
    database triggers on the category links, persons and households (migration clients 0009_counters)."""

    category = models.ForeignKey(PMKSCategory, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    village = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, db_constraint=False, null=True, related_name="+"
    )
    persons = models.IntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["category", "village"], nulls_distinct=False, name="pmks_count_cell")
        ]

    def __str__(self) -> str:
        return f"{self.category_id} {self.village_id}: {self.persons}"


class PMKSHousehold(models.Model):
    """Living members per household and PMKS category: a household counts in the paper's Table 1
    rows in KK (poor families, remote indigenous communities) while its cell is above zero. Kept
    exact by database triggers on the category links and the persons (migration clients 0023)."""

    category = models.ForeignKey(PMKSCategory, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    household = models.ForeignKey("Household", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    members = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["category", "household"], name="pmks_household_cell")]

    def __str__(self) -> str:
        return f"{self.category_id} {self.household_id}: {self.members}"


class DuplicateCandidate(TimeStampedModel):
    """Two persons who may be one: found by the registry-wide check (clients.duplicates), scored
    by what a clerk weighs, waiting for the data officer's decision. ``person_a`` has the lower
    id. A pair decided "not the same person" stays, so it is never proposed again."""

    class Level(models.TextChoices):
        LIKELY = "likely", _("Likely duplicate")
        POSSIBLE = "possible", _("Possible duplicate, needs review")

    class State(models.TextChoices):
        OPEN = "open", _("To review")
        LATER = "later", _("Later")
        NOT_SAME = "not_same", _("Not the same person")

    # No index of its own: duplicate_pair_unique (person_a, person_b) serves it.
    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person A"),
                                 db_index=False)
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+", verbose_name=_("person B"))
    score = models.SmallIntegerField(_("score"))
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    reasons = ArrayField(models.CharField(max_length=40), verbose_name=_("reasons"), default=list)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.OPEN)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        ordering = ["-score", "pk"]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="duplicate_pair_unique"),
            models.CheckConstraint(condition=Q(person_a__lt=F("person_b")), name="duplicate_pair_ordered"),
        ]
        indexes = [
            # the review queue: open (or later) pairs, best first
            models.Index(fields=["state", "-score"], name="duplicate_state_score_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id} ({self.score})"


class PersonMerge(models.Model):
    """One merge: the record that went (``merged_id``, its data in ``merged_record``), the
    survivor and what it was before (``survivor_before``), and every related row moved
    (``moved``: model label → field → ids), so the data officer can undo it within
    ``UNDO_DAYS``."""

    UNDO_DAYS = 30

    survivor = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("survivor")
    )
    merged_id = models.BigIntegerField(_("merged person's id"))
    merged_record = models.JSONField(_("merged person's record"))
    survivor_before = models.JSONField(_("survivor before the merge"))
    moved = models.JSONField(_("moved records"), default=dict)
    candidate = models.JSONField(_("candidate pair"), default=dict)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("merged by")
    )
    merged_at = models.DateTimeField(_("merged at"), default=timezone.now)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("undone by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        ordering = ["-merged_at", "-pk"]
        verbose_name = _("merge of persons")
        verbose_name_plural = _("merges of persons")

    def __str__(self) -> str:
        return f"{self.merged_id} → {self.survivor_id}"

    @property
    def undo_until(self):
        return self.merged_at + datetime.timedelta(days=self.UNDO_DAYS)

    @property
    def can_undo(self) -> bool:
        return (self.undone_at is None and bool(self.survivor_before)
                and self.survivor_id == self.survivor_before[0]["pk"]
                and timezone.now() <= self.undo_until)


class PersonAlias(models.Model):
    """The name and NIK a merged record had: search finds the survivor by them. Few (one or two
    per merge): search compares them all, without an index of names."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("person"))
    merge = models.ForeignKey(PersonMerge, on_delete=models.CASCADE, related_name="aliases")
    full_name = models.CharField(_("full name"), max_length=150)
    name_key = models.TextField(default="", blank=True, editable=False)
    nik = models.CharField(_("NIK"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("former name or NIK")
        verbose_name_plural = _("former names and NIKs")
        indexes = [
            models.Index(fields=["nik"], name="person_alias_nik_idx", condition=~Q(nik="")),
        ]

    def __str__(self) -> str:
        return self.full_name
# --- Household changes, programmes and the national update cycle (issue 19) ----------------------


class MemberChange(models.Model):
    """The history of who belongs to a household: a person moved to another KK, members split off
    into a new household, a death, a birth. Written by the household-change services with the audit
    event; shown on the household and person pages."""

    class Kind(models.TextChoices):
        MOVE = "move", _("Moved to another KK")
        SPLIT = "split", _("Split into a new household")
        DEATH = "death", _("Died")
        BIRTH = "birth", _("Born")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="member_changes",
                               verbose_name=_("person"), db_index=False)
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    from_household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True,
                                       related_name="members_left", verbose_name=_("from household"),
                                       db_index=False)
    to_household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="members_joined", verbose_name=_("to household"),
                                     db_index=False)
    on = models.DateField(_("date of the event"))
    note = models.CharField(_("note"), max_length=255, blank=True)
    at = models.DateTimeField(_("recorded at"), default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                           related_name="+", verbose_name=_("recorded by"))

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("household member change")
        verbose_name_plural = _("household member changes")
        indexes = [
            models.Index(fields=["from_household", "at"], name="member_change_from_idx"),
            models.Index(fields=["to_household", "at"], name="member_change_to_idx"),
            models.Index(fields=["person", "at"], name="member_change_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}: {self.get_kind_display()} {self.on}"


class Programme(models.Model):
    """A social protection programme a family may receive (PKH, BPNT, PBI-JKN, …, and local ones):
    a configurable list, loaded by ``load_reference_data`` from pandu/office/data/programmes.csv
    and edited in the admin."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        LOCAL = "local", _("Local (district, village or partner)")

    class Unit(models.TextChoices):
        HOUSEHOLD = "household", _("Household")
        PERSON = "person", _("Person")

    code = models.CharField(_("code"), max_length=20, unique=True,
                            help_text=_("As the agencies' lists write it in the PROGRAM column, e.g. PKH."))
    name = models.CharField(_("name"), max_length=150)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.NATIONAL)
    unit = models.CharField(_("given to"), max_length=10, choices=Unit.choices, default=Unit.HOUSEHOLD)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")

    def __str__(self) -> str:
        return f"{self.code} · {self.name}"


class Participation(TimeStampedModel):
    """A person (and so their household) in a programme for a period, as a source says on a date:
    an agency's list imported (``import_programmes``) or a referral completed with a grant."""

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="participations",
                                  verbose_name=_("programme"))
    household = models.ForeignKey(Household, on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="participations", verbose_name=_("household"), db_index=False)
    person = models.ForeignKey(Person, on_delete=models.CASCADE, null=True, blank=True,
                               related_name="participations", verbose_name=_("person"), db_index=False)
    starts_on = models.DateField(_("from"))
    ends_on = models.DateField(_("until"), null=True, blank=True, help_text=_("Empty: still receiving."))
    source = models.CharField(_("source"), max_length=60)
    as_of = models.DateField(_("as of"))
    # A referral that granted it (referrals.Referral, by id: clients imports no higher app).
    referral_id = models.BigIntegerField(_("referral"), null=True, blank=True)

    class Meta:
        ordering = ["-starts_on", "programme__code"]
        verbose_name = _("programme participation")
        verbose_name_plural = _("programme participations")
        constraints = [
            # the key of an import row: the same list twice changes nothing
            models.UniqueConstraint(fields=["programme", "household", "person", "starts_on"],
                                    nulls_distinct=False, name="participation_once"),
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(person__isnull=False),
                                   name="participation_has_someone"),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                                   name="participation_period_ordered"),
        ]
        indexes = [
            models.Index(fields=["household", "ends_on"], name="participation_household_idx"),
            models.Index(fields=["person", "ends_on"], name="participation_person_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.programme.code} {self.starts_on}–{self.ends_on or '…'}"

    @property
    def is_current(self) -> bool:
        today = timezone.localdate()
        return self.starts_on <= today and (self.ends_on is None or self.ends_on >= today)


class NationalProposal(models.Model):
    """A proposal to the national registry (DTKS/DTSEN): a new record, a correction or a
    deactivation, and why (a death, a move, a verivali outcome, a merge). Collected per month and
    exported by the data officer in the column layout of the ministry's application."""

    class Kind(models.TextChoices):
        NEW = "new", _("New")
        CORRECTION = "correction", _("Correction")
        DEACTIVATION = "deactivation", _("Deactivation")

    class Cause(models.TextChoices):
        DEATH = "death", _("Death")
        MOVE = "move", _("Moved to another KK")
        SPLIT = "split", _("Household split")
        BIRTH = "birth", _("Birth")
        VERIVALI = "verivali", _("Verivali outcome")
        MERGE = "merge", _("Duplicate records merged")

    kind = models.CharField(_("proposal"), max_length=12, choices=Kind.choices)
    cause = models.CharField(_("cause"), max_length=10, choices=Cause.choices)
    household = models.ForeignKey(Household, on_delete=models.SET_NULL, null=True, blank=True,
                                  related_name="national_proposals", verbose_name=_("household"))
    person = models.ForeignKey(Person, on_delete=models.SET_NULL, null=True, blank=True,
                               related_name="national_proposals", verbose_name=_("person"))
    reason = models.CharField(_("reason"), max_length=255)
    month = models.DateField(_("month"), help_text=_("The first day of the month it is collected in."))
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                    related_name="+", verbose_name=_("proposed by"))

    class Meta:
        ordering = ["month", "proposed_at", "pk"]
        verbose_name = _("national registry proposal")
        verbose_name_plural = _("national registry proposals")
        indexes = [models.Index(fields=["month", "kind"], name="national_proposal_month_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(household__isnull=False) | Q(person__isnull=False),
                                   name="national_proposal_has_subject"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m} {self.get_kind_display()} ({self.get_cause_display()})"
