"""Personal API tokens: made and revoked by their owner on the profile page or by the `token` command, stored only
as a hash, sent as a Bearer token; the browser keeps using its session with CSRF."""

from __future__ import annotations

import datetime as dt
import hashlib
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from servicedesk.accounts.models import Contact, User
from servicedesk.api import tokens
from servicedesk.api.models import ApiToken
from tests.conftest import PASSWORD
from tests.test_api_support import assert_problem

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_token_is_stored_only_as_its_hash(l1_agent):
    token, secret = tokens.create_token(l1_agent, "script")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(ApiToken.objects.filter(pk=token.pk).values().get())
    assert secret.startswith(stored.prefix) and len(stored.prefix) < len(secret) // 3


def test_bearer_token_authenticates_and_records_last_use_once_a_minute(l1_agent):
    token, secret = tokens.create_token(l1_agent, "script")
    assert bearer(secret).get("/api/v1/tickets/").status_code == 200
    first_use = ApiToken.objects.get(pk=token.pk).last_used_at
    assert first_use is not None
    bearer(secret).get("/api/v1/tickets/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at == first_use
    with time_machine.travel(timezone.now() + dt.timedelta(minutes=5)):
        bearer(secret).get("/api/v1/tickets/")
    assert ApiToken.objects.get(pk=token.pk).last_used_at > first_use


@pytest.mark.parametrize("header", ["Bearer sd_wrong", "Bearer ", "Bearer nonsense-without-prefix"])
def test_bad_tokens_are_401_with_challenge(l1_agent, header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get("/api/v1/tickets/")
    assert_problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_and_inactive_user_are_refused(l1_agent):
    token, secret = tokens.create_token(l1_agent)
    tokens.revoke(token)
    assert_problem(bearer(secret).get("/api/v1/tickets/"), 401, "authentication_failed")
    _token, other = tokens.create_token(l1_agent)
    l1_agent.is_active = False
    l1_agent.save()
    assert_problem(bearer(other).get("/api/v1/tickets/"), 401)


def test_session_works_and_writes_need_csrf(client, l1_agent, ticket):
    client.force_login(l1_agent)
    assert client.get("/api/v1/tickets/").status_code == 200
    strict = APIClient(enforce_csrf_checks=True)
    strict.force_login(l1_agent)
    response = strict.post("/api/v1/tickets/", {"subject": "x"}, format="json")
    assert_problem(response, 403)
    strict.get("/api/v1/tokens/")  # the page sets the CSRF cookie
    csrf = strict.cookies["csrftoken"].value
    response = strict.post("/api/v1/tickets/", {"subject": "x"}, format="json", HTTP_X_CSRFTOKEN=csrf)
    assert response.status_code == 201


# --- The profile page ---------------------------------------------------------------------------------------


def test_user_creates_a_token_on_the_profile_page_and_sees_it_once(client, customer_user):
    client.force_login(customer_user.user)
    response = client.post("/api/v1/tokens/", {"name": "Zabbix"})
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.encode() in response.content and response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=customer_user.user)
    assert token.name == "Zabbix" and token.token_hash == tokens.hash_token(secret)
    again = client.get("/api/v1/tokens/")
    assert secret.encode() not in again.content and token.prefix.encode() in again.content
    assert bearer(secret).get("/api/v1/tickets/").status_code == 200


def test_user_revokes_their_own_token_only(client, l1_agent, resolver):
    mine, secret = tokens.create_token(l1_agent, "mine")
    theirs, their_secret = tokens.create_token(resolver, "theirs")
    client.force_login(l1_agent)
    assert client.post(f"/api/v1/tokens/{theirs.pk}/revoke/").status_code == 404
    assert client.post(f"/api/v1/tokens/{mine.pk}/revoke/").status_code == 302
    assert bearer(secret).get("/api/v1/tickets/").status_code == 401
    assert bearer(their_secret).get("/api/v1/tickets/").status_code == 200
    assert mine.prefix.encode() not in client.get("/api/v1/tokens/").content


def test_token_page_needs_sign_in(client):
    response = client.get("/api/v1/tokens/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_token_page_needs_a_name(client, l1_agent):
    client.force_login(l1_agent)
    assert client.post("/api/v1/tokens/", {"name": ""}).status_code == 400
    assert not ApiToken.objects.exists()


def test_base_page_links_to_tokens(client, l1_agent):
    client.force_login(l1_agent)
    assert b'href="/api/v1/tokens/"' in client.get("/").content


# --- The management command -------------------------------------------------------------------------------


def run(*args: str) -> str:
    out = StringIO()
    call_command("token", *args, stdout=out)
    return out.getvalue().strip()


def test_command_prints_a_working_token(l1_agent):
    secret = run("create", "lucie", "--name", "backup")
    assert ApiToken.objects.get(user=l1_agent).name == "backup"
    assert bearer(secret).get("/api/v1/tickets/").status_code == 200
    assert "backup" in run("list", "lucie")
    run("revoke", "lucie", secret[:10])
    assert bearer(secret).get("/api/v1/tickets/").status_code == 401


def test_command_creates_an_account_for_a_contact_without_one(customer_org):
    contact = Contact.objects.create(organization=customer_org, name="Robot", email="robot@alfa.cz")
    secret = run("create", "Robot@alfa.cz")
    contact.refresh_from_db()
    assert contact.user is not None and contact.user.username == "robot@alfa.cz"
    assert not contact.user.has_usable_password() and not contact.user.is_staff
    response = bearer(secret).post("/api/v1/tickets/", {"subject": "From the robot"}, format="json")
    assert response.status_code == 201 and response.json()["requester"] == contact.pk


def test_command_uses_an_existing_login(customer_user):
    run("create", "jana@alfa.cz")
    assert User.objects.filter(username="jana@alfa.cz").count() == 1
    assert customer_user.user.check_password(PASSWORD)  # the password is left alone


def test_command_refuses_an_unknown_login(db):
    with pytest.raises(CommandError):
        run("create", "nobody@nowhere.cz")
