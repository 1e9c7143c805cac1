"""What referrals add to the registry (registered with ``clients.hooks`` in
``ReferralsConfig.ready()``): desk officers may open the persons referred to their provider,
case workers the persons of their caseload, and the person page lists the referrals this user
may see."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from clients import hooks
from pandu import roles
from pandu.http import parse_id
from referrals.forms import AddNeedForm
from referrals.selectors import (
    cases_for_user,
    person_disclosures_for_case_worker,
    person_disclosures_for_officer,
    person_filter_for_case_worker,
    person_filter_for_officer,
    referrals_for_person,
    serving_case,
)


def referrals_section(request, person) -> dict:
    return {"referrals": referrals_for_person(person, request.user)}


def add_need_section(request, person) -> dict | None:
    """For an agency's officer serving this person's visit at their desk: refer a need they
    found, without sending the citizen back to the front desk."""
    if not roles.has_role(request.user, roles.DESK_OFFICER):
        return None
    case = serving_case(request.user, person, parse_id(request.GET.get("ticket")))
    if case is None:
        return None
    return {"case": case, "add_need_form": AddNeedForm(case=case), "next": request.get_full_path()}


def complaint_case(request, person, household) -> dict:
    """A complaint filed from a case (``?case=<id>``) came from it and from the case's visit."""
    case_id = parse_id(request.GET.get("case") or request.POST.get("case"))
    if case_id is None or person is None:
        return {}
    case = cases_for_user(request.user).filter(pk=case_id, person=person).select_related("ticket").first()
    if case is None:
        return {}
    return {"case": case, "ticket": case.ticket}


def complaint_case_link(request, complaint) -> dict | None:
    case = complaint.case
    if case is None:
        return None
    may_open = cases_for_user(request.user).filter(pk=case.pk).exists()
    return {
        "label": _("Case"),
        "text": f"#{case.pk} · {timezone.localtime(case.created_at):%d-%m-%Y}",
        "url": reverse("referrals:case_detail", args=[case.pk]) if may_open else None,
        "testid": "complaint-case",
    }


def register() -> None:
    hooks.register_complaint_origin(hooks.ComplaintOrigin(name="case", find=complaint_case,
                                                          show=complaint_case_link))
    hooks.register_person_rule(person_filter_for_officer)
    hooks.register_person_rule(person_filter_for_case_worker)
    hooks.register_person_disclosure(person_disclosures_for_officer)
    hooks.register_person_disclosure(person_disclosures_for_case_worker)
    hooks.register_page_section(
        hooks.PageSection(page="person", template="referrals/_person_section.html", context=referrals_section,
                          order=30)
    )
    hooks.register_page_section(
        hooks.PageSection(page="person", template="referrals/_person_add_need.html", context=add_need_section,
                          order=31)
    )
