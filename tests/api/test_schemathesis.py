"""Schemathesis over the whole published schema, with a real token and the demo office's
referrals: every operation with generated input, then the stateful links (list → one
referral → its moves, attachments and letter). No answer may be a server error or differ from
the schema (status, content type, body, headers)."""

import os
import time

import pytest
import schemathesis
from django.core import signals
from django.core.handlers.wsgi import WSGIHandler
from django.core.management import call_command
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api import services as api_services
from desks.models import Provider
from referrals.models import Referral, ReferralEvent

pytestmark = pytest.mark.django_db

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance,
          response_headers_conformance]
FUZZ = settings(max_examples=12, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
STATEFUL = settings(max_examples=15, stateful_step_count=6, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))


@pytest.fixture
def demo_token(reference_data, settings):
    settings.API_RATE = "100000/min"  # the fuzzing is a burst; the rate has its own test
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", "--keep-demo-passwords", stdout=devnull)
    return api_services.token_create(provider=Provider.objects.get(code="DINKES")).secret


@pytest.fixture
def api_schema(demo_token):
    """Calls go to Django's WSGI handler in this thread, on the test's transaction: the handler
    must not close the connection after each request (Django's test client does the same)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", WSGIHandler())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_every_operation_and_the_stateful_links_answer_as_the_schema_says(api_schema, demo_token):
    """One test for both phases: the demo office takes a while to seed."""
    started = time.monotonic()
    _every_operation(api_schema, demo_token)
    _stateful_links(api_schema, demo_token)
    assert time.monotonic() - started < 240


def _every_operation(api_schema, demo_token):
    headers = {"Authorization": f"Token {demo_token}"}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) == 11
    for operation in operations:

        @FUZZ
        @given(case=operation.as_strategy())
        def check(case):
            response = case.call(headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)

        check()


def _stateful_links(api_schema, demo_token):
    headers = {"Authorization": f"Token {demo_token}"}
    calls = []

    class Workflow(api_schema.as_state_machine()):
        def get_call_kwargs(self, case):
            return {"headers": headers}

        def after_call(self, response, case):
            calls.append((case.operation.definition.raw["operationId"], response.status_code))

        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, checks=CHECKS, headers=headers)

    before = ReferralEvent.objects.filter(channel=ReferralEvent.Channel.API).count()
    Workflow.run(settings=STATEFUL)
    answered = {(operation, status) for operation, status in calls}
    # The list led to a referral that exists, and from it to moves that were judged on the
    # referral's real state (200 done, 409 not allowed or stale; 400 a generated body refused).
    assert ("referrals_retrieve", 200) in answered
    moves = {(op, status) for op, status in answered if op.split("_")[1] in
             ("receive", "accept", "reject", "return", "complete")}
    assert any(status in (200, 409) for _op, status in moves), sorted(answered)
    assert Referral.objects.filter(provider__code="DINKES").exists()
    assert ReferralEvent.objects.filter(channel=ReferralEvent.Channel.API).count() >= before
