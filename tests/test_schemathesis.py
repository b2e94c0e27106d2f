"""schemathesis against the app's own OpenAPI schema, in-process over WSGI: an agent with a token calls every
operation with generated data; no answer is a 5xx and every answer conforms to the schema (status, content type,
body, headers)."""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from servicedesk.api import tokens
from servicedesk.tickets import actions
from servicedesk.wsgi import application

schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """The WSGI handler closes old database connections when a request starts and finishes; inside a test that
    would close the test's own transaction (PostgreSQL). Django's test client does the same as this."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def agent_headers(l1_agent) -> dict[str, str]:
    _token, secret = tokens.create_token(l1_agent, "schemathesis")
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def existing_ticket(l1_agent, customer_user, server_item):
    """A real ticket, so that the ticket's operations run their actions rather than answer 404."""
    ticket = actions.open_ticket(actor=l1_agent, subject="Schemathesis", requester=customer_user, items=[server_item])
    actions.add_article(ticket, actor=l1_agent, body="Hello")
    return ticket


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_conforms_to_its_schema(case, agent_headers, existing_ticket):
    if "number" in (case.path_parameters or {}):
        case.path_parameters["number"] = existing_ticket.number
    case.call_and_validate(headers=agent_headers, checks=CHECKS)
