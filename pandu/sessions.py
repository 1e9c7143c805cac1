"""How long a signed-in session lasts: it ends after ``SESSION_IDLE_SECONDS`` without a
person's own request, and ``SESSION_ABSOLUTE_SECONDS`` after the login whatever happens.

Pages poll the server (the queue every 5 s, the outcomes badge every minute, an import's
progress): a poll says nothing about a person being at the screen, so it never renews the
idle clock. Polls are the htmx requests that carry the ``X-Pandu-Poll`` header (every
``hx-trigger="every …"`` element sends it: ``tests/pandu/test_sessions.py`` checks the
templates)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import HttpResponse
from django.shortcuts import resolve_url

STARTED = "pandu_session_started"
ACTIVE = "pandu_session_active"
POLL_HEADER = "X-Pandu-Poll"


def now() -> int:
    return int(time.time())


def is_poll(request) -> bool:
    return request.headers.get(POLL_HEADER) == "true"


@receiver(user_logged_in, dispatch_uid="pandu_session_started")
def _started(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[STARTED] = request.session[ACTIVE] = now()


def _expired(session) -> bool:
    moment = now()
    started = session.get(STARTED, moment)
    active = session.get(ACTIVE, started)
    return moment - active > settings.SESSION_IDLE_SECONDS or moment - started > settings.SESSION_ABSOLUTE_SECONDS


class SessionLifetimeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            if _expired(request.session):
                logout(request)
                login = resolve_url(settings.LOGIN_URL)
                if request.headers.get("HX-Request") == "true":
                    response = HttpResponse(status=204)
                    response["HX-Redirect"] = login
                    return response
                return redirect_to_login(request.get_full_path(), login)
            request.session.setdefault(STARTED, now())
            if not is_poll(request):
                request.session[ACTIVE] = now()
        return self.get_response(request)
