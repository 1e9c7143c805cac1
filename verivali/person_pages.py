"""What verivali adds to the registry (registered with ``clients.hooks`` in
``VerivaliConfig.ready()``): surveyors may open the members of the households they survey,
the household page shows its surveys, and registry lists filter by the welfare class of the
latest validated survey."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from clients import hooks
from pandu import roles
from verivali import selectors
from verivali.models import ClassBand


def household_section(request, household) -> dict | None:
    """The household's surveys: all of them for the office, a surveyor's own only (not another
    surveyor's breakdown)."""
    if roles.has_role(request.user, *selectors.READ_ROLES):
        return {"household_assessments": selectors.household_assessments(household)}
    if roles.has_role(request.user, roles.SURVEYOR):
        return {"household_assessments": selectors.household_assessments(household, surveyor=request.user)}
    return None


def welfare_class_field() -> forms.Field:
    return forms.ChoiceField(
        label=_("Welfare class (latest validated survey)"),
        choices=[("", _("All")), *ClassBand.WelfareClass.choices],
        required=False,
    )


def register() -> None:
    hooks.register_person_rule(selectors.person_filter_for_surveyor)
    hooks.register_page_section(
        hooks.PageSection(page="household", template="verivali/_household_section.html",
                          context=household_section, order=10)
    )
    hooks.register_welfare_rank(
        hooks.WelfareRank(expression=selectors.welfare_rank_expression, label=selectors.welfare_rank_label)
    )
    hooks.register_household_filter(
        hooks.HouseholdFilter(name="welfare_class", field=welfare_class_field,
                              household_ids=selectors.households_in_welfare_class)
    )
