"""What the apps above referrals add to it, registered in their ``AppConfig.ready()``.

referrals imports no app above it. The agencies' API (``api``) must learn of every new referral
and every move of one, to call the provider's webhook: it registers a listener here with
``register_referral_listener``, and the services call ``referral_changed`` explicitly after
each event they append (no Django signal: the side effect is named where it happens).

A listener runs inside the service's transaction; work that leaves the database (an HTTP call)
is queued by the listener for when the transaction commits (``pandu.jobs.enqueue``).
Registering the same function twice (a second ``ready()`` in tests) keeps one entry.
"""

from __future__ import annotations

from collections.abc import Callable

ReferralListener = Callable[..., None]

_listeners: list[ReferralListener] = []


def register_referral_listener(listener: ReferralListener) -> None:
    """``listener(referral=…, event=…)``: a referral was created or moved (``event`` is the
    ``ReferralEvent`` just appended)."""
    if listener not in _listeners:
        _listeners.append(listener)


def referral_changed(*, referral, event) -> None:
    for listener in _listeners:
        listener(referral=referral, event=event)
