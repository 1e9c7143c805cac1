"""Small view helpers shared by the apps."""

import ipaddress
import unicodedata

from django.conf import settings
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


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def _trusted(address, networks) -> bool:
    return any(address in network for network in networks)


def client_ip(request) -> str | None:
    """Who sent the request: REMOTE_ADDR, unless that is a trusted proxy (``TRUSTED_PROXIES``);
    then the right-most address in X-Forwarded-For that is not a trusted proxy. Addresses a
    client wrote further left are never believed: anyone can send the header."""
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR") or "")
    if remote is None:
        return None
    networks = [ipaddress.ip_network(item, strict=False) for item in settings.TRUSTED_PROXIES]
    if not _trusted(remote, networks):
        return str(remote)
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break
        if not _trusted(address, networks):
            return str(address)
    return str(remote)
