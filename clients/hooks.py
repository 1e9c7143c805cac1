"""What the apps above clients add to it, registered in their ``AppConfig.ready()``.

clients is the registry every other app builds on, so it imports none of them. Where a
clients page or rule needs an answer only a higher app has, that app registers it here:

- who else may open a person (desk officers through their referrals and queue, surveyors
  through their assignments): ``register_person_rule``;
- what the person lists show beside each person (the visit they are in): ``register_person_prefetch``;
- the sections of the person and household pages (visits, referrals, verivali surveys,
  the data request): ``register_page_section``;
- what a user who is not office-wide may see of a person beyond the minimal card (the full
  NIK, health and PMKS data, when their service needs it): ``register_person_disclosure``;
- the visit (queue ticket) the front desk is serving: ``register_serving_ticket``;
- filters of the registry lists that need another app's data (welfare class from verivali):
  ``register_household_filter``;
- where a complaint came from (the visit, the case) and how its page shows it:
  ``register_complaint_origin``;
- how poor a household is by the latest validated assessment, to order the quota services'
  waiting lists (verivali's welfare class): ``register_welfare_rank``;
- what follows a merge of two persons (a correction proposed to the national registry):
  ``register_merge_listener``.
- what happens elsewhere when the desk records a death (referrals closes the person's open
  referrals and frees their quota places): ``register_death_listener``.

Registering the same function twice (a second ``ready()`` in tests) keeps one entry.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import IntegerField, Prefetch, Q, QuerySet, Value
from django.template.loader import render_to_string

PersonRule = Callable[[object], Q | None]

_person_rules: list[PersonRule] = []
_person_prefetches: list[Callable[[], Prefetch]] = []
_sections: dict[str, list[PageSection]] = {}
_household_filters: dict[str, HouseholdFilter] = {}
_serving: list[Serving] = []


def _add(registry: list, item) -> None:
    if item not in registry:
        registry.append(item)


# --- Who may open a person ---------------------------------------------------------------------


def register_person_rule(rule: PersonRule) -> None:
    """``rule(user)`` returns a ``Q`` over persons that this user may open, or None."""
    _add(_person_rules, rule)


def person_rules(user) -> list[Q]:
    return [q for q in (rule(user) for rule in _person_rules) if q is not None]


# --- What a user is shown of a person ------------------------------------------------------

FULL_NIK = "full_nik"
HEALTH = "health"
_person_disclosures: list[Callable[[object, object], set[str]]] = []


def register_person_disclosure(rule: Callable[[object, object], set[str]]) -> None:
    """``rule(user, person)`` returns what of ``FULL_NIK`` and ``HEALTH`` the user's work needs."""
    _add(_person_disclosures, rule)


def person_disclosures(user, person) -> set[str]:
    found: set[str] = set()
    for rule in _person_disclosures:
        found |= rule(user, person)
    return found


# --- What person lists show -------------------------------------------------------------------


def register_person_prefetch(factory: Callable[[], Prefetch]) -> None:
    _add(_person_prefetches, factory)


def person_prefetches() -> list[Prefetch]:
    return [factory() for factory in _person_prefetches]


# --- Sections of the person and household pages ------------------------------------------------


@dataclass(frozen=True)
class PageSection:
    """A card on the person or household page, drawn by the app that owns its data.

    ``context(request, obj)`` returns what ``template`` needs, or None when this user is not
    shown the section. ``column`` is "main" (the wide column) or "side"."""

    page: str
    template: str
    context: Callable[[object, object], dict | None]
    column: str = "main"
    order: int = 50


def register_page_section(section: PageSection) -> None:
    sections = _sections.setdefault(section.page, [])
    _add(sections, section)
    sections.sort(key=lambda item: item.order)


def render_page_sections(page: str, request, obj, context: dict) -> dict[str, list[str]]:
    """Each registered section of ``page`` rendered for this request, by column."""
    columns: dict[str, list[str]] = {"main": [], "side": []}
    for section in _sections.get(page, []):
        extra = section.context(request, obj)
        if extra is None:
            continue
        html = render_to_string(section.template, {**context, **extra}, request=request)
        columns.setdefault(section.column, []).append(html)
    return columns


# --- The visit being served -------------------------------------------------------------------


@dataclass(frozen=True)
class Serving:
    """``ticket(request)`` finds the open ticket the officer carries from page to page
    (``?ticket=<id>``); ``banner`` is the template that offers to link it to a person."""

    ticket: Callable[[object], object | None]
    banner: str


def register_serving_ticket(serving: Serving) -> None:
    _serving[:] = [serving]


def serving_ticket(request) -> tuple[object | None, str]:
    """The ticket being served and its banner template, or (None, "")."""
    if not _serving:
        return None, ""
    ticket = _serving[0].ticket(request)
    return ticket, _serving[0].banner if ticket is not None else ""


# --- Filters of the registry lists -----------------------------------------------------------


@dataclass(frozen=True)
class HouseholdFilter:
    """A filter of the registry list: ``field()`` makes its form field, ``household_ids(value)``
    the households it keeps (a queryset of ids)."""

    name: str
    field: Callable[[], object]
    household_ids: Callable[[str], QuerySet]


def register_household_filter(household_filter: HouseholdFilter) -> None:
    _household_filters[household_filter.name] = household_filter


def household_filters() -> list[HouseholdFilter]:
    return list(_household_filters.values())


# --- Where a complaint came from ---------------------------------------------------------------


@dataclass(frozen=True)
class ComplaintOrigin:
    """A record of a higher app a complaint can come from (the visit, the case).

    ``find(request, person, household)`` returns the complaint's fields that the request names
    (``?ticket=``, ``?case=``, also in the POST) and that this user may tie to a complaint about
    this person or household, e.g. ``{"case": case, "ticket": case.ticket}``; ``show(request,
    complaint)`` returns ``{"label", "text", "url"}`` for the complaint's page (``url`` None when
    this user may not open the record), or None when there is nothing to show."""

    name: str
    find: Callable[[object, object, object], dict]
    show: Callable[[object, object], dict | None]


_complaint_origins: dict[str, ComplaintOrigin] = {}


def register_complaint_origin(origin: ComplaintOrigin) -> None:
    _complaint_origins[origin.name] = origin


def complaint_origins(request, *, person=None, household=None) -> dict[str, object]:
    """The complaint's ``ticket``/``case`` fields from the request; the first app to name one wins."""
    found: dict[str, object] = {}
    for origin in _complaint_origins.values():
        for field_name, value in origin.find(request, person, household).items():
            if value is not None:
                found.setdefault(field_name, value)
    return found


def complaint_origin_links(request, complaint) -> list[dict]:
    return [shown for origin in _complaint_origins.values() if (shown := origin.show(request, complaint))]


# --- How poor a household is (the waiting lists' order) ------------------------------------


@dataclass(frozen=True)
class WelfareRank:
    """``expression(household_ref)`` annotates a household's rank, 0 for the poorest, None when
    it was never assessed; ``label(rank)`` names a rank for the page ("Very poor")."""

    expression: Callable[[object], object]
    label: Callable[[int | None], str]


_welfare_rank: list[WelfareRank] = []


def register_welfare_rank(rank: WelfareRank) -> None:
    _welfare_rank[:] = [rank]


def welfare_rank_expression(household_ref):
    """An integer expression over ``household_ref`` (an OuterRef), or a null without verivali."""
    if not _welfare_rank:
        return Value(None, output_field=IntegerField())
    return _welfare_rank[0].expression(household_ref)


def welfare_rank_label(rank: int | None) -> str:
    return _welfare_rank[0].label(rank) if _welfare_rank else ""


# --- After a merge of two persons ----------------------------------------------------------

_merge_listeners: list[Callable[[object], None]] = []


def register_merge_listener(listener: Callable[[object], None]) -> None:
    """``listener(merge)`` runs in the merge's transaction (clients.models.PersonMerge)."""
    _add(_merge_listeners, listener)


def person_merged(merge) -> None:
    for listener in _merge_listeners:
        listener(merge)
# --- A death recorded at the desk --------------------------------------------------------------

DeathListener = Callable[..., None]
_death_listeners: list[DeathListener] = []


def register_death_listener(listener: DeathListener) -> None:
    """``listener(person=…, died_on=…, actor=…)``: called inside the transaction that records the
    death (``clients.changes.person_record_death``)."""
    _add(_death_listeners, listener)


def person_died(*, person, died_on, actor) -> None:
    for listener in _death_listeners:
        listener(person=person, died_on=died_on, actor=actor)
