"""Small view helpers shared by the apps."""

import unicodedata

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme

from pandu.text import is_digits


def without_control_characters(text: str) -> str:
    """The text without control (and format) characters: PostgreSQL refuses NUL in text, an
    HTTP header refuses line breaks, a spreadsheet refuses the rest."""
    return "".join(char for char in text if not unicodedata.category(char).startswith("C"))


def query_text(request, name: str) -> str:
    """A free-text filter from the query string, safe to compare with a text column."""
    return without_control_characters(request.GET.get(name, ""))


def redirect_next(request, default: str, *args, **kwargs):
    """Redirect to the request's `next` when it is a path of this site, else to `default`.

    Only a path is followed (the forms send ``request.path``): anything else, e.g. a bare word
    that ``redirect()`` would try to reverse as a URL name, or a control character that cannot
    go into a Location header, falls back to `default` instead of an error page."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and target == without_control_characters(target)
        and url_has_allowed_host_and_scheme(
            target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return HttpResponseRedirect(target)
    return redirect(default, *args, **kwargs)


def parse_id(value: object) -> int | None:
    """An id sent in a query string or form field, or None when it is not one.

    Only ASCII digits, at most 18 of them (PostgreSQL's bigint): ``"²".isdigit()`` and
    ``"٣".isdigit()`` are true, but the first makes ``int()`` fail and neither is an id."""
    text = value if isinstance(value, str) else ""
    if is_digits(text) and len(text) <= 18:
        return int(text)
    return None


def error_messages(request, error: ValidationError) -> None:
    """A service's refusal, shown to the officer as the page's error messages."""
    for message in error.messages:
        messages.error(request, message)
