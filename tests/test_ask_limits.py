"""Rate limits of the "Ask us" form and publishing the consent text."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import RequestFactory

from servicedesk.ask import limits
from servicedesk.ask.models import ConsentText, RateCounter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "count", "seconds"), [("5/10m", 5, 600), ("3/h", 3, 3600), ("3/1h", 3, 3600), (" 10 / 30s ", 10, 30)]
)
def test_parse_rate(text, count, seconds):
    assert limits.parse_rate(text) == limits.Rate(count, seconds)


@pytest.mark.parametrize("text", ["5", "5/10", "five/m", "5/10w"])
def test_bad_rate_is_rejected(text):
    with pytest.raises(ValueError):
        limits.parse_rate(text)


def test_counter_allows_the_limit_then_refuses_until_the_next_window():
    rate = limits.Rate(2, 600)
    start = dt.datetime(2026, 3, 2, 10, 0, 5, tzinfo=dt.UTC)
    assert [limits.hit("ip", "192.0.2.1", rate, start) for _ in range(3)] == [True, True, False]
    assert limits.hit("ip", "192.0.2.2", rate, start)  # another address counts apart
    assert limits.hit("ip", "192.0.2.1", rate, start + dt.timedelta(minutes=10))


def test_counters_store_no_addresses_and_old_windows_are_forgotten():
    rate = limits.Rate(5, 600)
    old = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
    limits.hit("email", "karel@example.org", rate, old)
    limits.hit("email", "karel@example.org", rate, old + dt.timedelta(days=2))
    assert RateCounter.objects.count() == 1
    assert "karel" not in RateCounter.objects.get().key


def test_client_ip_trusts_only_the_configured_proxies(settings):
    request = RequestFactory().get("/ask/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.5")
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 0
    assert limits.client_ip(request) == "10.0.0.1"
    settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    assert limits.client_ip(request) == "203.0.113.5"


def test_consent_versions_are_numbered_in_order(admin_user):
    first = ConsentText.current()
    assert first.version == 1 and first.published_by is None
    second = ConsentText.publish(text_cs=" Nový ", text_en=" New ", by=admin_user)
    assert (second.version, second.text_cs, second.published_by) == (2, "Nový", admin_user)
    assert ConsentText.current() == second


def test_admin_publishes_a_new_version_and_cannot_edit_an_old_one(client, admin_user):
    client.force_login(admin_user)
    first = ConsentText.current()
    response = client.post("/admin/ask/consenttext/add/", {"text_cs": "Text v2", "text_en": "Text v2 en"})
    assert response.status_code == 302
    assert ConsentText.current().version == first.version + 1
    assert ConsentText.current().published_by == admin_user
    client.post(f"/admin/ask/consenttext/{first.pk}/change/", {"text_cs": "changed", "text_en": "changed"})
    assert ConsentText.objects.get(pk=first.pk).text_cs == first.text_cs
