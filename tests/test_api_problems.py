"""Errors are RFC 9457 problem details with a machine-readable code; validation errors name the field."""

from __future__ import annotations

import pytest

from tests.test_api_support import assert_problem, client_for

pytestmark = pytest.mark.django_db


def test_validation_error_lists_fields(l1_agent):
    response = client_for(l1_agent).post("/api/v1/tickets/", {"impact": "enormous"}, format="json")
    body = assert_problem(response, 400, "invalid")
    fields = {error["field"]: error for error in body["errors"]}
    assert set(fields) == {"subject", "impact"}
    assert fields["subject"]["code"] == "required" and fields["impact"]["code"] == "invalid_choice"
    assert all(error["message"] for error in body["errors"])


def test_nested_validation_errors_are_dotted(l1_agent):
    response = client_for(l1_agent).post("/api/v1/tickets/", {"subject": "x", "tags": ["ok", "x" * 60]}, format="json")
    body = assert_problem(response, 400, "invalid")
    assert body["errors"][0]["field"] == "tags.1"


def test_malformed_json_is_400(l1_agent):
    response = client_for(l1_agent).post("/api/v1/tickets/", "{not json", content_type="application/json")
    assert_problem(response, 400, "parse_error")


def test_not_found_is_404(l1_agent):
    assert_problem(client_for(l1_agent).get("/api/v1/tickets/2026-999999/"), 404, "not_found")


def test_unauthenticated_is_401_with_challenge():
    response = client_for(None).get("/api/v1/organizations/")
    assert_problem(response, 401, "not_authenticated")
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_permission_is_403(customer_user):
    assert_problem(client_for(customer_user.user).get("/api/v1/agents/"), 403, "permission_denied")


def test_method_not_allowed_is_405(l1_agent):
    response = client_for(l1_agent).delete("/api/v1/tickets/")
    assert_problem(response, 405, "method_not_allowed")
    assert "GET" in response["Allow"]


def test_unsupported_media_type_is_415(l1_agent):
    response = client_for(l1_agent).post("/api/v1/tickets/", "subject=x", content_type="text/plain")
    assert_problem(response, 415, "unsupported_media_type")


def test_conflict_and_refusal_codes(l1_agent, ticket, first_level_team):
    client = client_for(l1_agent)
    path = f"/api/v1/tickets/{ticket.number}/"
    assert_problem(client.post(path + "transition/", {"state": "closed"}, format="json"), 409, "illegal_transition")
    response = client.post(path + "escalate/", {"team": first_level_team.pk, "reason": "x"}, format="json")
    assert_problem(response, 422, "action_refused")
