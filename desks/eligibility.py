"""Is a person eligible for a service? The service's ``EligibilityRule`` checked condition by
condition, each answer with its reason, so the front desk can tell the citizen why.

The welfare class is the household's latest validated verivali survey (``clients.hooks``' welfare
rank, 0 = very poor), or else the national registry's decile (desil) with its as-of date: a rule
with both is met by either. "Not already in programme X" looks at what the household or the person
receives today (``clients.programmes``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import OuterRef
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from clients import hooks
from clients.models import Household, Person
from clients.programmes import programmes_received
from desks.models import EligibilityRule, Service


@dataclass
class Eligibility:
    """``eligible`` with ``reasons`` (why not) and ``met`` (what holds); a service without a rule
    is eligible with nothing to say."""

    service: Service
    eligible: bool = True
    reasons: list[str] = field(default_factory=list)
    met: list[str] = field(default_factory=list)
    has_rule: bool = False

    def check(self, ok: bool, *, met: str, refused: str) -> None:
        if ok:
            self.met.append(met)
        else:
            self.eligible = False
            self.reasons.append(refused)


def welfare_rank(household: Household | None) -> int | None:
    """The rank of the household's latest validated welfare class (0 = very poor), or None."""
    if household is None:
        return None
    return (Household.objects.filter(pk=household.pk)
            .annotate(rank=hooks.welfare_rank_expression(OuterRef("pk"))).values_list("rank", flat=True).first())


def _welfare(result: Eligibility, rule: EligibilityRule, household: Household | None, rank: int | None) -> None:
    wanted = []
    if rule.welfare_at_most is not None:
        wanted.append(str(EligibilityRule.WelfareAtMost(rule.welfare_at_most).label).lower())
    if rule.decile_at_most is not None:
        wanted.append(_("desil 1–%(n)s") % {"n": rule.decile_at_most})
    decile = household.decile if household else None
    facts = []
    if rank is not None:
        facts.append(_("welfare class %(label)s (latest validated survey)") % {"label": hooks.welfare_rank_label(rank)})
    if decile is not None:
        as_of = date_format(household.decile_as_of, "DATE_FORMAT") if household.decile_as_of else "-"
        facts.append(_("desil %(n)s (national registry, as of %(date)s)") % {"n": decile, "date": as_of})
    by_class = rule.welfare_at_most is not None and rank is not None and rank <= rule.welfare_at_most
    by_decile = rule.decile_at_most is not None and decile is not None and decile <= rule.decile_at_most
    if not facts:
        result.check(False, met="", refused=_(
            "No validated verivali survey and no national decile for the household; the service is for %(wanted)s."
        ) % {"wanted": _(" or ").join(wanted)})
        return
    said = ", ".join(facts)
    result.check(by_class or by_decile, met=said, refused=_("%(facts)s; the service is for %(wanted)s.") % {
        "facts": said[:1].upper() + said[1:], "wanted": _(" or ").join(wanted)})


def _age(result: Eligibility, rule: EligibilityRule, person: Person) -> None:
    low, high = rule.min_age, rule.max_age
    if low is not None and high is not None:
        wanted = _("ages %(low)s to %(high)s") % {"low": low, "high": high}
    elif low is not None:
        wanted = _("ages %(low)s and over") % {"low": low}
    else:
        wanted = _("ages up to %(high)s") % {"high": high}
    age = person.age
    if age is None:
        result.check(False, met="", refused=_("No date of birth recorded; the service is for %(wanted)s.")
                     % {"wanted": wanted})
        return
    ok = (low is None or age >= low) and (high is None or age <= high)
    result.check(ok, met=_("age %(age)s") % {"age": age},
                 refused=_("Age %(age)s; the service is for %(wanted)s.") % {"age": age, "wanted": wanted})


_UNKNOWN = object()


def service_eligibility(service: Service, person: Person, *, rank=_UNKNOWN,
                        received: set[int] | None = None) -> Eligibility:
    """The answer for one service (``rank`` and ``received`` passed when checking several)."""
    result = Eligibility(service=service)
    rule = getattr(service, "eligibility", None) if _has_rule(service) else None
    if rule is None:
        return result
    result.has_rule = True
    household = person.household
    if rule.welfare_at_most is not None or rule.decile_at_most is not None:
        _welfare(result, rule, household, welfare_rank(household) if rank is _UNKNOWN else rank)
    categories = list(rule.pmks_categories.all())
    if categories:
        own = {c.pk for c in person.pmks_categories.all()}
        names = ", ".join(c.name for c in categories)
        result.check(bool(own & {c.pk for c in categories}), met=_("PMKS: %(names)s") % {"names": ", ".join(
            c.name for c in categories if c.pk in own)},
            refused=_("Not recorded in the PMKS categories the service is for: %(names)s.") % {"names": names})
    if rule.min_age is not None or rule.max_age is not None:
        _age(result, rule, person)
    villages = list(rule.villages.all())
    if villages:
        here = household.village if household else None
        result.check(here is not None and here.pk in {v.pk for v in villages},
                     met=_("lives in %(village)s") % {"village": here.name.title() if here else "-"},
                     refused=_("Lives in %(village)s, not in the service's villages (%(villages)s).") % {
                         "village": here.name.title() if here else _("no village recorded"),
                         "villages": ", ".join(v.name.title() for v in villages)})
    excluded = list(rule.not_in_programmes.all())
    if excluded:
        received = programmes_received(person) if received is None else received
        already = [p for p in excluded if p.pk in received]
        result.check(not already, met=_("not in %(codes)s") % {"codes": ", ".join(p.code for p in excluded)},
                     refused=_("The family already receives %(codes)s.") % {"codes": ", ".join(p.code for p in already)})
    return result


def _has_rule(service: Service) -> bool:
    try:
        service.eligibility  # noqa: B018
    except EligibilityRule.DoesNotExist:
        return False
    return True


def eligibility_for(person: Person, services) -> dict[int, Eligibility]:
    """Each service's answer for this person, by service id (the case form shows them)."""
    services = list(Service.objects.filter(pk__in=[s.pk for s in services]).select_related("eligibility")
                    .prefetch_related("eligibility__pmks_categories", "eligibility__villages",
                                      "eligibility__not_in_programmes"))
    if not any(_has_rule(s) for s in services):
        return {s.pk: Eligibility(service=s) for s in services}
    rank = welfare_rank(person.household)
    received = programmes_received(person)
    return {s.pk: service_eligibility(s, person, rank=rank, received=received) for s in services}

