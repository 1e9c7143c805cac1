"""What referrals add to the registry (registered with ``clients.hooks`` in
``ReferralsConfig.ready()``): desk officers may open the persons referred to their provider,
and the person page lists the referrals this user may see."""

from __future__ import annotations

from clients import hooks
from referrals.selectors import (
    person_disclosures_for_officer,
    person_filter_for_officer,
    referrals_for_person,
)


def referrals_section(request, person) -> dict:
    return {"referrals": referrals_for_person(person, request.user)}


def register() -> None:
    hooks.register_person_rule(person_filter_for_officer)
    hooks.register_person_disclosure(person_disclosures_for_officer)
    hooks.register_page_section(
        hooks.PageSection(page="person", template="referrals/_person_section.html", context=referrals_section,
                          order=30)
    )
