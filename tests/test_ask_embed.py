"""The embeddable "Ask us" form, its framing headers, the embed script and the confirmation page."""

from __future__ import annotations

import pytest
from django.core import signing
from django.test import Client
from django.utils import timezone

from servicedesk.ask.views import CONFIRMATION_SALT
from servicedesk.tickets.models import Ticket
from tests.ask_helpers import answers, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture
def category(first_level_team):
    return make_category()


def test_standalone_form_may_not_be_framed(client):
    response = client.get("/ask/")
    assert response["X-Frame-Options"] == "DENY"
    assert response["Content-Security-Policy"] == "frame-ancestors 'none'"


def test_embed_page_may_be_framed_by_the_configured_origins(client, settings):
    settings.ASK_EMBED_ORIGINS = ["https://www.example.com", "https://*.example.net:8443", "bad origin; script-src *"]
    response = client.get("/ask/embed/")
    assert response.status_code == 200
    assert "X-Frame-Options" not in response
    policy = response["Content-Security-Policy"]
    assert policy == "frame-ancestors 'self' https://www.example.com https://*.example.net:8443"
    html = response.content.decode()
    assert 'class="topbar"' not in html  # no site chrome inside the iframe
    assert 'action="/ask/embed/"' in html


def test_embed_page_without_configured_origins_allows_only_this_site(client, settings):
    settings.ASK_EMBED_ORIGINS = []
    assert client.get("/ask/embed/")["Content-Security-Policy"] == "frame-ancestors 'self'"


def test_embedded_submission_needs_no_cookies_and_confirms_inside_the_frame(category, settings):
    settings.ASK_EMBED_ORIGINS = ["https://www.example.com"]
    # A browser sends none of our cookies to a third-party iframe: no CSRF cookie, no session.
    browser = Client(enforce_csrf_checks=True)
    data = answers(browser, category, url="/ask/embed/", lang="cs")
    browser.cookies.clear()
    response = browser.post("/ask/embed/", data)
    assert response.status_code == 302
    assert response["Location"].startswith("/ask/embed/thanks/")
    page = Client().get(response["Location"])
    assert page.status_code == 200
    assert "X-Frame-Options" not in page
    assert "https://www.example.com" in page["Content-Security-Policy"]
    assert Ticket.objects.get().number in page.content.decode()


def test_confirmation_page_shows_the_number_and_reloading_creates_nothing(client, category):
    response = client.post("/ask/", answers(client, category))
    ticket = Ticket.objects.get()
    for _ in range(2):
        page = client.get(response["Location"])
        assert page.status_code == 200
        assert ticket.number in page.content.decode()
        assert page["X-Frame-Options"] == "DENY"
    assert Ticket.objects.count() == 1


def test_confirmation_token_cannot_be_changed_to_another_ticket(client, category):
    response = client.post("/ask/", answers(client, category))
    token = response["Location"].split("/")[3]
    payload = signing.loads(token, salt=CONFIRMATION_SALT)
    forged = signing.dumps({**payload, "number": "2020-000001"}, salt="another salt")
    assert client.get(f"/ask/thanks/{forged}/").status_code == 404
    tampered = token[:-3] + ("aaa" if not token.endswith("aaa") else "bbb")
    assert client.get(f"/ask/thanks/{tampered}/").status_code == 404
    assert client.get("/ask/thanks/2026-000001/").status_code == 404


def test_confirmation_token_expires(client, category, time_machine):
    time_machine.move_to(timezone.now())
    response = client.post("/ask/", answers(client, category))
    time_machine.shift(25 * 3600)
    assert client.get(response["Location"]).status_code == 404


def test_embed_script_inserts_the_iframe_and_resizes_it(client):
    response = client.get("/ask/embed.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    script = response.content.decode()
    assert "embed/" in script and "postMessage" not in script  # it listens; the frame (ask.js) posts
    assert "servicedesk-ask:height" in script
    assert "event.origin !== source.origin" in script


def test_embed_frame_reports_its_height(client):
    html = client.get("/ask/embed/").content.decode()
    assert "/static/ask/ask.js" in html
    script = client.get("/static/ask/ask.js")
    assert b"servicedesk-ask:height" in b"".join(script.streaming_content)
