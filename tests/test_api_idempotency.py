"""Idempotency-Key on POST: a retry with the same key and body returns the first answer instead of a duplicate."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
import time_machine
from django.utils import timezone

from servicedesk.api.models import IdempotencyRecord
from servicedesk.tickets.models import Article, Ticket
from tests.test_api_support import assert_problem, client_for

pytestmark = pytest.mark.django_db


def post(client, path: str, body: dict, key: str = "k-1"):
    return client.post(path, json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key)


def test_same_key_and_body_replays_the_first_answer(l1_agent, customer_user):
    client = client_for(l1_agent)
    body = {"subject": "Printer", "requester": customer_user.pk}
    first = post(client, "/api/v1/tickets/", body)
    second = post(client, "/api/v1/tickets/", body)
    assert first.status_code == second.status_code == 201
    assert first.json() == second.json()
    assert second["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_same_key_with_another_body_is_422(l1_agent):
    client = client_for(l1_agent)
    post(client, "/api/v1/tickets/", {"subject": "One"})
    response = post(client, "/api/v1/tickets/", {"subject": "Two"})
    assert_problem(response, 422, "idempotency_key_reused")
    assert list(Ticket.objects.values_list("subject", flat=True)) == ["One"]


def test_keys_of_different_users_do_not_collide(l1_agent, resolver):
    post(client_for(l1_agent), "/api/v1/tickets/", {"subject": "Same"})
    response = post(client_for(resolver), "/api/v1/tickets/", {"subject": "Same"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Ticket.objects.count() == 2


def test_the_same_users_tokens_share_keys(l1_agent):
    post(client_for(l1_agent), "/api/v1/tickets/", {"subject": "Same"})
    assert post(client_for(l1_agent), "/api/v1/tickets/", {"subject": "Same"})["Idempotent-Replayed"] == "true"


def test_a_refusal_is_replayed_too(l1_agent, ticket):
    client = client_for(l1_agent)
    path = f"/api/v1/tickets/{ticket.number}/transition/"
    first = post(client, path, {"state": "closed"})
    second = post(client, path, {"state": "closed"})
    assert first.status_code == second.status_code == 409
    assert second.json() == first.json()
    assert second["Content-Type"] == first["Content-Type"] == "application/problem+json"


def test_reply_with_a_key_is_written_once(customer_user, ticket):
    client = client_for(customer_user.user)
    for _ in range(3):
        assert post(client, f"/api/v1/tickets/{ticket.number}/reply/", {"body": "Thanks"}).status_code == 201
    assert Article.objects.filter(ticket=ticket).count() == 1


def test_a_key_expires_after_24_hours(l1_agent):
    client = client_for(l1_agent)
    post(client, "/api/v1/tickets/", {"subject": "Daily"})
    with time_machine.travel(timezone.now() + dt.timedelta(hours=25)):
        response = post(client, "/api/v1/tickets/", {"subject": "Daily"})
    assert response.status_code == 201 and "Idempotent-Replayed" not in response
    assert Ticket.objects.count() == 2


def test_a_running_request_with_the_key_is_409(l1_agent):
    """What the loser of two concurrent identical requests meets: the winner's row, without an answer yet."""
    fingerprint = hashlib.sha256(b'POST /api/v1/tickets/\n{"subject": "A"}').hexdigest()
    IdempotencyRecord.objects.create(user=l1_agent, key="k-1", request_hash=fingerprint, created_at=timezone.now())
    client = client_for(l1_agent)
    assert_problem(post(client, "/api/v1/tickets/", {"subject": "A"}), 409, "idempotency_in_progress")
    assert not Ticket.objects.exists()


def test_without_a_key_nothing_is_stored(l1_agent):
    client_for(l1_agent).post("/api/v1/tickets/", {"subject": "x"}, format="json")
    assert not IdempotencyRecord.objects.exists()


def test_an_abandoned_claim_stops_blocking_after_two_minutes(l1_agent):
    fingerprint = hashlib.sha256(b'POST /api/v1/tickets/\n{"subject": "A"}').hexdigest()
    IdempotencyRecord.objects.create(
        user=l1_agent, key="k-1", request_hash=fingerprint, created_at=timezone.now() - dt.timedelta(minutes=3)
    )
    assert post(client_for(l1_agent), "/api/v1/tickets/", {"subject": "A"}).status_code == 201


def test_the_key_is_unique_per_user_in_the_database(l1_agent):
    from django.db import IntegrityError, transaction

    IdempotencyRecord.objects.create(user=l1_agent, key="k", request_hash="a", created_at=timezone.now())
    with pytest.raises(IntegrityError), transaction.atomic():
        IdempotencyRecord.objects.create(user=l1_agent, key="k", request_hash="a", created_at=timezone.now())
