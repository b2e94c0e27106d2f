"""Shared helpers of the API tests: clients authenticated with a real Bearer token per persona."""

from __future__ import annotations

from typing import Any

from rest_framework.test import APIClient

from servicedesk.api import tokens


def client_for(user: Any) -> APIClient:
    """An API client that sends a fresh personal token of the user (anonymous for None)."""
    client = APIClient()
    if user is not None:
        _token, secret = tokens.create_token(user, "test")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def assert_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["status"] == status
    assert body["type"].startswith("urn:servicedesk:problem:")
    assert body["title"] and "detail" in body and body["code"]
    if code is not None:
        assert body["code"] == code, body
    return body
