"""The data request card on a person's page (download, correct, anonymise), for the head and
the administrator: registered with ``clients.hooks`` in ``OfficeConfig.ready()``."""

from __future__ import annotations

from clients import hooks
from pandu import roles
from pandu.office.privacy.selectors import DATA_REQUEST_ROLES, person_corrections


def data_request_section(request, person) -> dict | None:
    if not roles.has_role(request.user, *DATA_REQUEST_ROLES):
        return None
    return {"corrections": person_corrections(person)}


def register() -> None:
    hooks.register_page_section(
        hooks.PageSection(page="person", template="privacy/_data_request.html", context=data_request_section,
                          column="side", order=90)
    )
