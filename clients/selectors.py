"""Reads of the clients app."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.expressions import RawSQL
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext_lazy

from clients import hooks
from clients.disability import adult_born_on_or_before, table_one_group_sql
from clients.duplicates import scoring
from clients.duplicates.detection import person_candidates
from clients.models import (
    Complaint,
    Household,
    MemberChange,
    Person,
    PMKSCategory,
    PMKSCount,
    PMKSHousehold,
    Region,
    RegistryStatus,
)
from clients.nik import clean_number
from pandu import roles
from pandu.text import is_digits

# Roles that work with any person's record in the office.
OFFICE_WIDE_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.VALIDATOR, roles.HEAD, roles.ADMIN)


def persons_for_user(user) -> QuerySet[Person]:
    """The persons a user may open. Office-wide roles see all; others see none here.

    Desk officers (persons referred to their provider or queued at their desk) and
    surveyors (members of households assigned to them) are added by the rules their apps
    register in ``clients.hooks``.
    """
    if roles.has_role(user, *OFFICE_WIDE_ROLES):
        return Person.objects.all()
    queryset = Person.objects.none()
    for extra in hooks.person_rules(user):
        queryset = queryset | Person.objects.filter(extra)
    return queryset.distinct()


def get_person_for_user(user, pk) -> Person:
    return get_object_or_404(
        persons_for_user(user).select_related("household", "household__village__parent"), pk=pk
    )


def households_for_user(user) -> QuerySet[Household]:
    if roles.has_role(user, *OFFICE_WIDE_ROLES):
        return Household.objects.all()
    return Household.objects.filter(members__in=persons_for_user(user)).distinct()


def get_household_for_user(user, pk) -> Household:
    return get_object_or_404(households_for_user(user).select_related("village__parent"), pk=pk)


# --- Finding a person -------------------------------------------------------------------------

# Finding a name without filters goes by words first (see _ids_by_words): each typed word meets
# the registry's words at least this similar, and the names holding such words are ranked.
WORD_SIMILARITY = 0.4
# Words of one letter (an initial) say too little to require; more than five words is not a name.
MIN_WORD_LENGTH = 2
MAX_WORDS = 5
# The least similar whole name shown (pg_trgm's own default threshold).
NAME_FLOOR = 0.3

# Similarity thresholds tried in turn, strictest first, until a pass finds `limit` names: the
# search with filters, and the last resort without, when no name shares the typed words.
# A strict threshold lets the GIN index skip almost every row, so a common name is answered
# from a few candidates; a rare or misspelled one falls through to the looser pass. Each
# pass returns the best rows above its threshold in order, so the first pass that fills the
# page is the true top of the ranking. The loosest pass (0.4) stops short of pg_trgm's
# default 0.3, where the first two letters of a name already match and a pass reads tens
# of thousands of rows (measured in bench/bench_search.py).
SIMILARITY_PASSES = (0.6, 0.4)


@dataclass(frozen=True)
class SearchFilters:
    kecamatan: Region | None = None
    village: Region | None = None
    registry_status: str = ""

    def sql(self) -> tuple[str, list]:
        """Extra WHERE clauses on the person's household, and their parameters."""
        clauses, params = [], []
        if self.village is not None:
            clauses.append("h.village_id = %s")
            params.append(self.village.pk)
        elif self.kecamatan is not None:
            clauses.append("h.village_id IN (SELECT id FROM clients_region WHERE parent_id = %s)")
            params.append(self.kecamatan.pk)
        if self.registry_status:
            clauses.append("h.registry_status = %s")
            params.append(self.registry_status)
        return "".join(f" AND {clause}" for clause in clauses), params

    def __bool__(self) -> bool:
        return bool(self.kecamatan or self.village or self.registry_status)


def name_key(text: str) -> str:
    """The normalised form of a name, as the database stores it in Person.name_key."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pandu_name_key(%s)", [text])
        return cursor.fetchone()[0] or ""


def search_number(query: str) -> str | None:
    """The query as a 16-digit NIK or KK number, or None when it is a name."""
    number = clean_number(query)
    return number if len(number) == 16 and is_digits(number) else None


def person_search(*, query: str, limit: int = 20) -> list[Person]:
    """Persons matching a NIK, a KK number or a name (fuzzy, spelling variants folded), best first."""
    return person_search_filtered(query=query, limit=limit)


def _length_bounds(key: str, threshold: float) -> tuple[int, int]:
    """Key lengths that can reach the threshold: a name of n letters has about n + 1 trigrams,
    and similarity = shared / union, so the other side has between t(n + 1) and (n + 1)/t."""
    trigrams = len(key) + 1
    return max(0, int(trigrams * threshold) - 2), int(trigrams / threshold) + 1


_SET_THRESHOLD = "set_config('pg_trgm.similarity_threshold', %s, false)"


# The distinct names like the key (`%` at the session's threshold, lengths that can reach it),
# with their similarity; `_ranked_passes` closes the WITH, with or without a LIMIT.
_SIMILAR_NAMES = (
    "WITH names AS ("
    " SELECT n.key, similarity(n.key, %s) AS score FROM clients_searchname n"
    " WHERE n.key %% %s AND length(n.key) BETWEEN %s AND %s"
)
# The first persons of each name, by the exact key (`person_name_key_id_idx`), best name first.
_PERSONS_OF_NAMES = (
    " SELECT p.id FROM names CROSS JOIN LATERAL (SELECT id FROM clients_person"
    " WHERE name_key = names.key ORDER BY id LIMIT %s) p ORDER BY names.score DESC, p.id LIMIT %s"
)
# The same for the search with filters: all persons of the names, then those whose household
# passes the filter (`{where}`, from SearchFilters.sql). A person's rank is its name's score,
# the similarity of its own name_key.
_PERSONS_OF_NAMES_FILTERED = (
    " SELECT p.id FROM names JOIN clients_person p ON p.name_key = names.key"
    " JOIN clients_household h ON h.id = p.household_id{where} ORDER BY names.score DESC, p.id LIMIT %s"
)


def _person_ids_by_name(key: str, *, limit: int, filters: SearchFilters, threshold: float) -> list[int]:
    """Ids of the persons whose name is most like the key, best first.

    Without filters the distinct names (clients_searchname) are ranked, by their words first
    (`_ids_by_words`), and the first persons of each name joined by the exact key: many people
    share a name, so there are several times fewer rows to compare. With filters, or when no
    name shares a typed word, names are compared whole by trigrams (`_ranked_passes`).

    `threshold` is what the caller set pg_trgm.similarity_threshold to. It is set for the
    session rather than in a transaction (fewer round trips on the path every keystroke takes)
    and reset at the end, so other code using `%` on the same connection gets pg_trgm's default.
    """
    ids: list[int] = []
    with connection.cursor() as cursor:
        try:
            if not filters:
                ids = _ids_by_words(cursor, key, limit=limit, threshold=threshold)
                threshold = WORD_SIMILARITY
            if not ids:
                ids = _ranked_passes(cursor, key, limit=limit, filters=filters, threshold=threshold)
        finally:
            cursor.execute("RESET pg_trgm.similarity_threshold")
    return ids


def _ids_by_words(cursor, key: str, *, limit: int, threshold: float) -> list[int]:
    """Persons whose name holds, for every typed word, a word like it, ranked by the whole name's
    similarity; or, when those are fewer than a page, names holding all typed words but one
    (for two words, only when no name holds both).

    Each typed word is compared with the distinct words of all names (a few thousand): alike
    by trigrams, or within a letter or two (`_edits_allowed`: what trigrams miss in short
    words, "Aso" for "Baso", "Hansah" for "Hasnah"). The names holding those words come from
    the GIN index on their word arrays, so a query ranks the few hundred names that share its
    words, not the thousands that share a trigram. A one-word query first takes the persons
    named exactly that, which a common name fills at once.
    """
    words = [word for word in key.split() if len(word) >= MIN_WORD_LENGTH][:MAX_WORDS]
    if not words:
        return []
    if threshold != WORD_SIMILARITY:
        cursor.execute(f"SELECT {_SET_THRESHOLD}", [str(WORD_SIMILARITY)])
    variants = ", ".join(
        f"v{i} AS (SELECT coalesce(array_agg(word), '{{}}') AS a FROM ("
        " SELECT word FROM clients_searchword WHERE word %% %s"
        " UNION SELECT word FROM clients_searchword"
        " WHERE length(word) BETWEEN %s AND %s AND levenshtein_less_equal(word, %s, %s) <= %s) alike)"
        for i in range(len(words))
    )
    variant_params = []
    for word in words:
        edits = _edits_allowed(word)
        variant_params += [word, len(word) - edits, len(word) + edits, word, edits, edits]
    holds = [f"n.words && v{i}.a" for i in range(len(words))]
    # (condition on the name n, its parameters, the least whole-name similarity)
    stages: list[tuple[str, list, float]] = []
    if len(words) == 1:
        stages.append(("n.key = %s", [key], 0))
    stages.append((" AND ".join(holds), [], 0))
    if len(words) > 1:  # names missing a typed word must still be like the whole name typed
        all_but_one = " OR ".join(
            "(" + " AND ".join(hold for j, hold in enumerate(holds) if j != skipped) + ")"
            for skipped in range(len(holds))
        )
        stages.append((all_but_one, [], NAME_FLOOR))
    sources = ", ".join(f"v{i}" for i in range(len(words)))
    ids: list[int] = []
    for number, (condition, params, floor) in enumerate(stages):
        cursor.execute(
            f"WITH {variants}, names AS ("
            f" SELECT n.key, similarity(n.key, %s) AS score FROM clients_searchname n, {sources}"
            f" WHERE ({condition}){' AND similarity(n.key, %s) >= %s' if floor else ''}"
            " ORDER BY score DESC LIMIT %s)" + _PERSONS_OF_NAMES,
            [*variant_params, key, *params, *([key, floor] if floor else []), limit, limit, limit],
        )
        ids = [row[0] for row in cursor.fetchall()]
        # Two typed words that some names hold both are the answer even when fewer than a
        # page: names holding one of two words are thousands, and far from what was typed.
        if len(ids) >= limit or (ids and len(words) == 2 and number == 0):
            break
    return ids


def _edits_allowed(word: str) -> int:
    """Letters that may differ between a typed word and a registry word: one in a short word,
    two (a swapped pair) from five letters on."""
    return 1 if len(word) < 5 else 2


def _ranked_passes(cursor, key: str, *, limit: int, filters: SearchFilters, threshold: float) -> list[int]:
    where, params = filters.sql()
    ids: list[int] = []
    for pass_threshold in SIMILARITY_PASSES:
        if pass_threshold != threshold:
            cursor.execute(f"SELECT {_SET_THRESHOLD}", [str(pass_threshold)])
            threshold = pass_threshold
        names_params = [key, key, *_length_bounds(key, pass_threshold)]
        if filters:
            # Every similar name, not only the best `limit`: the filter may leave out their persons.
            cursor.execute(
                _SIMILAR_NAMES + ")" + _PERSONS_OF_NAMES_FILTERED.format(where=where),
                [*names_params, *params, limit],
            )
        else:
            cursor.execute(
                _SIMILAR_NAMES + " ORDER BY score DESC LIMIT %s)" + _PERSONS_OF_NAMES,
                [*names_params, limit, limit, limit],
            )
        ids = [row[0] for row in cursor.fetchall()]
        if len(ids) >= limit:
            break
    return ids


def _person_ids_by_number(number: str, *, limit: int, filters: SearchFilters) -> list[int]:
    """The person with this NIK and the members of the household with this KK number: two
    index lookups in one round trip."""
    where, params = filters.sql()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id FROM clients_person p LEFT JOIN clients_household h ON h.id = p.household_id"
            f" WHERE p.nik = %s{where}"
            " UNION SELECT p.id FROM clients_person p JOIN clients_household h ON h.id = p.household_id"
            f" WHERE h.kk_number = %s{where}"
            # a NIK of a record merged into this person
            " UNION SELECT p.id FROM clients_personalias a JOIN clients_person p ON p.id = a.person_id"
            f" LEFT JOIN clients_household h ON h.id = p.household_id WHERE a.nik = %s{where} LIMIT %s",
            [number, *params, number, *params, number, *params, limit],
        )
        return [row[0] for row in cursor.fetchall()]


def _with_aliases(ids: list[int], key: str, *, limit: int, filters: SearchFilters) -> list[int]:
    """The persons found by name, with those a merged record's name (PersonAlias) leads to:
    an alias named exactly as typed first, an alias like it after the names found."""
    where, params = filters.sql()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.person_id, a.name_key = %s FROM clients_personalias a JOIN clients_person p ON p.id = a.person_id"
            " LEFT JOIN clients_household h ON h.id = p.household_id"
            f" WHERE similarity(a.name_key, %s) >= %s{where} ORDER BY similarity(a.name_key, %s) DESC LIMIT %s",
            [key, key, WORD_SIMILARITY, *params, key, limit],
        )
        aliases = cursor.fetchall()
    if not aliases:
        return ids
    exact = [pk for pk, equal in aliases if equal]
    alike = [pk for pk, equal in aliases if not equal]
    return list(dict.fromkeys([*exact, *ids, *alike]))[:limit]


def _with_display_data(queryset: QuerySet[Person]) -> QuerySet[Person]:
    """Persons with their village, and what the apps above add to a list (the open visit)."""
    return queryset.select_related("household__village__parent").prefetch_related(*hooks.person_prefetches())


def person_search_filtered(
    *, query: str, limit: int = 20, filters: SearchFilters | None = None
) -> list[Person]:
    """`person_search` with the search page's filters (kecamatan, village, registry status)."""
    filters = filters or SearchFilters()
    query = (query or "").strip()
    if not query:
        return []
    number = search_number(query)
    if number is not None:
        ids = _person_ids_by_number(number, limit=limit, filters=filters)
        found = _with_display_data(Person.objects.filter(pk__in=ids)).in_bulk()
        return sorted(
            found.values(),
            key=lambda p: (p.nik != number, p.household_id or 0, p.relationship != Person.Relationship.HEAD,
                           p.birth_date or datetime.date.min, p.pk),
        )
    first = SIMILARITY_PASSES[0] if filters else WORD_SIMILARITY
    with connection.cursor() as cursor:  # normalise and set the first threshold in one round trip
        cursor.execute(f"SELECT pandu_name_key(%s), {_SET_THRESHOLD}", [query, str(first)])
        key = cursor.fetchone()[0] or ""
    if len(key) < 2:
        with connection.cursor() as cursor:
            cursor.execute("RESET pg_trgm.similarity_threshold")
        return []
    ids = _person_ids_by_name(key, limit=limit, filters=filters, threshold=first)
    ids = _with_aliases(ids, key, limit=limit, filters=filters)
    found = _with_display_data(Person.objects.filter(pk__in=ids)).in_bulk()
    return [found[pk] for pk in ids if pk in found]


def person_duplicate_candidates(
    *, full_name: str, birth_date=None, village: Region | None = None, exclude_pk=None, limit: int = 10,
    nik: str | None = None, sex: str = "", household: Household | None = None, relationship: str = "",
) -> list[Person]:
    """Persons who may be the one being registered, best first: those the duplicate score
    (clients.duplicates.scoring, the same as the registry-wide check's) puts at or above
    "possible duplicate". Each carries ``duplicate_score``."""
    record = scoring.Record(
        id=exclude_pk, nik=nik or None, name_key=name_key(full_name), sex=sex, birth_date=birth_date,
        village_id=village.pk if village is not None else None,
        household_id=household.pk if household is not None else None, relationship=relationship,
    )
    scored = person_candidates(record=record, limit=limit)
    found = _with_display_data(Person.objects.filter(pk__in=[pk for pk, _score in scored])).in_bulk()
    persons = []
    for pk, result in scored:
        if pk in found:
            found[pk].duplicate_score = result
            persons.append(found[pk])
    return persons


def villages_grouped(kecamatan: Region | None = None) -> list[tuple[Region, list[Region]]]:
    """Villages of the loaded regions under their kecamatan, for the region-tree pickers."""
    villages = Region.objects.filter(level__in=Region.VILLAGE_LEVELS).select_related("parent")
    if kecamatan is not None:
        villages = villages.filter(parent=kecamatan)
    groups: dict[Region, list[Region]] = {}
    for village in villages.order_by("parent__name", "name"):
        groups.setdefault(village.parent, []).append(village)
    return list(groups.items())


# --- Complaints --------------------------------------------------------------------------------

COMPLAINT_ROLES = (roles.FRONT_DESK, roles.DATA_OFFICER, roles.VALIDATOR, roles.HEAD, roles.ADMIN)


def complaints_for_user(user) -> QuerySet[Complaint]:
    if roles.has_role(user, *COMPLAINT_ROLES):
        return Complaint.objects.select_related("household__village", "person", "received_by")
    return Complaint.objects.none()


def get_complaint_for_user(user, pk) -> Complaint:
    return get_object_or_404(complaints_for_user(user), pk=pk)


def complaints_overdue(complaints: QuerySet[Complaint], *, today: datetime.date | None = None) -> QuerySet[Complaint]:
    """Open complaints past their due date (partial index ``complaint_open_due_idx``)."""
    return complaints.filter(status__in=Complaint.OPEN_STATUSES, due_on__lt=today or timezone.localdate())


def complaint_figures(*, date_from: datetime.date, date_to: datetime.date, kecamatan: Region | None = None) -> dict:
    """The head's dashboard: complaints received in the period (WITA days), and of those how many
    are resolved, rejected, still open and overdue now; in total and per kind. A complaint without
    a household counts only for the whole district."""
    complaints = Complaint.objects.filter(created_at__date__range=(date_from, date_to))
    if kecamatan is not None:
        complaints = complaints.filter(household__village__parent=kecamatan)
    today = timezone.localdate()
    figures = {
        "received": Count("pk"),
        "resolved": Count("pk", filter=Q(status=Complaint.Status.RESOLVED)),
        "rejected": Count("pk", filter=Q(status=Complaint.Status.REJECTED)),
        "open": Count("pk", filter=Q(status__in=Complaint.OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=Complaint.OPEN_STATUSES, due_on__lt=today)),
    }
    per_kind = {row["kind"]: row for row in complaints.values("kind").annotate(**figures).order_by()}
    empty = dict.fromkeys(figures, 0)
    totals = complaints.aggregate(**figures)
    return {
        "totals": totals,
        "total_cells": [(state, totals[state]) for state in figures],
        "per_kind": [{"kind": kind, "label": label, **{k: per_kind.get(kind, empty)[k] for k in figures},
                      "cells": [(state, per_kind.get(kind, empty)[state]) for state in figures]}
                     for kind, label in Complaint.Kind.choices],
    }


def households_by_status() -> dict:
    """Aggregates over RegistryCount rows: households listed, in verification and not listed."""
    return {
        key: Sum("households", filter=Q(registry_status=status), default=0)
        for key, status in (("listed", RegistryStatus.LISTED), ("in_verification", RegistryStatus.IN_VERIFICATION),
                            ("not_listed", RegistryStatus.NOT_LISTED))
    }


def household_member_changes(household: Household, *, limit: int = 20) -> list:
    """Who joined and left the household, newest first (moves, splits, deaths, births)."""
    from_or_to = Q(from_household=household) | Q(to_household=household)
    return list(MemberChange.objects.filter(from_or_to).select_related("person", "from_household", "to_household", "by")[:limit])


# --- The paper's Table 1 (Data PMKS Kabupaten Berau), from the data ----------------------------

PERSONS, HOUSEHOLDS = "persons", "households"

# The paper's rows in its order: (key, label, what is counted, how). "disability": the Table 1 row
# of the structured disability (clients.disability); "pmks": living persons of the PMKS category;
# "pmks_kk": households with a living member of the category, as the paper counts poor families
# and remote indigenous communities.
TABLE_ONE_ROWS = (
    ("child", gettext_lazy("Children with a disability"), PERSONS, "disability"),
    ("NAPZA", gettext_lazy("Victims of drug abuse (NAPZA)"), PERSONS, "pmks"),
    ("physical", gettext_lazy("Persons with a physical disability (daksa)"), PERSONS, "disability"),
    ("sight", gettext_lazy("Persons with a visual disability (netra)"), PERSONS, "disability"),
    ("hearing_speech", gettext_lazy("Persons with a hearing or speech disability (rungu/wicara)"), PERSONS,
     "disability"),
    ("mental", gettext_lazy("Persons with a mental or intellectual disability"), PERSONS, "disability"),
    ("multiple", gettext_lazy("Persons with multiple disabilities (ganda)"), PERSONS, "disability"),
    ("severe", gettext_lazy("Persons with a severe disability (ODK berat)"), PERSONS, "disability"),
    ("LUT", gettext_lazy("Neglected elderly"), PERSONS, "pmks"),
    ("FM", gettext_lazy("Poor families"), HOUSEHOLDS, "pmks_kk"),
    ("BWBLP", gettext_lazy("Former prison inmates"), PERSONS, "pmks"),
    ("KAT", gettext_lazy("Remote indigenous communities (KAT)"), HOUSEHOLDS, "pmks_kk"),
    ("PRSE", gettext_lazy("Socio-economically vulnerable women"), PERSONS, "pmks"),
)


def _in_kecamatan(kecamatan: Region | None) -> tuple[str, list]:
    """The join that keeps the persons (alias ``p``) living in a kecamatan, and its parameter."""
    if kecamatan is None:
        return "", []
    return (" JOIN clients_household h ON h.id = p.household_id"
            " JOIN clients_region v ON v.id = h.village_id AND v.parent_id = %s", [kecamatan.pk])


def disability_group_counts(*, kecamatan: Region | None = None, on: datetime.date | None = None) -> dict[str, int]:
    """Living persons per Table 1 disability row on the day ``on`` (today), read from the partial
    covering index ``person_disability_idx`` (the disabled persons alone)."""
    on = on or timezone.localdate()
    join, params = _in_kecamatan(kecamatan)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {table_one_group_sql('p')}, count(*) FROM clients_person p{join}"
            " WHERE p.disability_kinds <> '{}' AND p.life_status = 'active' GROUP BY 1",
            [adult_born_on_or_before(on), *params],
        )
        return dict(cursor.fetchall())


def persons_in_disability_group(group: str, *, on: datetime.date | None = None) -> QuerySet[Person]:
    """The living persons a Table 1 disability row counts (the dashboard's list behind the number)."""
    on = on or timezone.localdate()
    return Person.objects.filter(
        pk__in=RawSQL(
            f"SELECT p.id FROM clients_person p WHERE p.disability_kinds <> '{{}}' AND p.life_status = 'active'"
            f" AND {table_one_group_sql('p')} = %s",
            [adult_born_on_or_before(on), group],
        )
    )


def pmks_household_counts(codes: list[str], *, kecamatan: Region | None = None) -> dict[str, int]:
    """Households with at least one living member in each of these PMKS categories, from the
    exact counter of living members per household and category (``clients_pmkshousehold``)."""
    cells = PMKSHousehold.objects.filter(category__code__in=codes, members__gt=0)
    if kecamatan is not None:
        cells = cells.filter(household__village__parent=kecamatan)
    return dict(cells.order_by().values_list("category__code").annotate(n=Count("pk")).values_list("category__code", "n"))


def households_in_pmks(code: str) -> QuerySet[Household]:
    """The households a Table 1 row in KK counts (the list behind the number)."""
    return Household.objects.filter(
        pk__in=PMKSHousehold.objects.filter(category__code=code, members__gt=0).values("household")
    )


def table_one(*, kecamatan: Region | None = None, on: datetime.date | None = None) -> list[dict]:
    """The paper's Table 1 from the data: its thirteen rows in its order, each with its label,
    what it counts (persons or households, KK) and how many, on the day ``on`` (today)."""
    disability = disability_group_counts(kecamatan=kecamatan, on=on)
    pmks_codes = [key for key, _label, _unit, how in TABLE_ONE_ROWS if how == "pmks"]
    cells = PMKSCount.objects.filter(category__in=PMKSCategory.objects.filter(code__in=pmks_codes))
    if kecamatan is not None:
        cells = cells.filter(village__parent=kecamatan)
    persons = dict(cells.values("category__code").annotate(n=Sum("persons")).values_list("category__code", "n"))
    households = pmks_household_counts([key for key, _l, _u, how in TABLE_ONE_ROWS if how == "pmks_kk"],
                                       kecamatan=kecamatan)
    found = {"disability": disability, "pmks": persons, "pmks_kk": households}
    return [
        {"number": number, "key": key, "label": str(label), "unit": unit, "source": how,
         "count": found[how].get(key, 0) or 0}
        for number, (key, label, unit, how) in enumerate(TABLE_ONE_ROWS, start=1)
    ]


def disabilities_to_review() -> QuerySet[Person]:
    """Persons whose disability was written in words no kind could be read from (migration
    clients 0019): the data officer's list, until someone chooses the kinds."""
    return Person.objects.filter(disability_to_review=True).select_related("household__village").order_by(
        "full_name", "pk")
