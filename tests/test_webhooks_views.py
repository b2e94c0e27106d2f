"""The desk pages that manage webhook subscriptions: who may use them, the test event button, the log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from servicedesk.webhooks.models import Delivery, DeliveryStatus, Subscription
from tests.conftest import make_agent
from tests.test_webhooks_delivery import receiver  # noqa: F401  (the real HTTP receiver fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture
def subscription(db) -> Subscription:
    return Subscription.objects.create(name="ERP", url="http://127.0.0.1:9/hook", event_types=["ticket.created"])


@pytest.fixture
def webhook_manager(first_level_team):
    """An agent who is not a superuser but was given the webhooks.manage permission."""
    agent = make_agent("marek", "Marek", "Webhook", first_level_team)
    agent.user_permissions.add(Permission.objects.get(codename="manage", content_type__app_label="webhooks"))
    return agent


def page_urls(subscription: Subscription, delivery: Delivery) -> list[tuple[str, str]]:
    pk = subscription.pk
    return [
        ("get", reverse("webhooks:subscriptions")),
        ("get", reverse("webhooks:subscription_new")),
        ("get", reverse("webhooks:subscription", args=[pk])),
        ("get", reverse("webhooks:delivery", args=[pk, delivery.pk])),
        ("post", reverse("webhooks:send_test", args=[pk])),
        ("post", reverse("webhooks:rotate_secret", args=[pk])),
        ("post", reverse("webhooks:redeliver", args=[pk, delivery.pk])),
        ("post", reverse("webhooks:delete", args=[pk])),
    ]


def a_delivery(subscription: Subscription, **fields) -> Delivery:
    fields.setdefault("status", DeliveryStatus.FAILED)
    fields.setdefault("body", "{}")
    return Delivery.objects.create(subscription=subscription, event_type="ticket.created", **fields)


@pytest.mark.parametrize("persona", ["customer_user", "customer_manager", "other_customer", "l1_agent"])
def test_only_webhook_managers_may_open_any_webhook_page(client, request, persona, subscription):
    person = request.getfixturevalue(persona)
    client.force_login(getattr(person, "user", person))
    delivery = a_delivery(subscription)
    for method, url in page_urls(subscription, delivery):
        assert getattr(client, method)(url).status_code == 403, url
    assert Subscription.objects.filter(pk=subscription.pk).exists()
    assert Delivery.objects.count() == 1


def test_anonymous_visitors_are_sent_to_sign_in(client, subscription):
    delivery = a_delivery(subscription)
    for method, url in page_urls(subscription, delivery):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/login/?next="), url
    assert Subscription.objects.filter(pk=subscription.pk).exists()


@pytest.mark.parametrize("persona", ["admin_user", "webhook_manager"])
def test_superusers_and_agents_with_the_permission_manage_webhooks(client, request, persona, subscription):
    client.force_login(request.getfixturevalue(persona))
    delivery = a_delivery(subscription)
    for _method, url in page_urls(subscription, delivery)[:4]:
        assert client.get(url).status_code == 200, url
    page = client.get(reverse("webhooks:subscriptions")).content.decode()
    assert f'href="{reverse("webhooks:subscriptions")}">Webhooks</a>' in page  # the nav link


def test_superusers_see_the_webhooks_link_on_every_desk_page(client, admin_user):
    client.force_login(admin_user)
    assert f'href="{reverse("webhooks:subscriptions")}"' in client.get(reverse("desk:home")).content.decode()


def test_agents_without_the_permission_see_no_webhooks_link(client, l1_agent):
    client.force_login(l1_agent)
    assert reverse("webhooks:subscriptions") not in client.get(reverse("desk:home")).content.decode()


def test_a_manager_creates_a_subscription_and_sees_its_generated_secret(client, admin_user, customer_org):
    client.force_login(admin_user)
    response = client.post(
        reverse("webhooks:subscription_new"),
        {
            "name": "ERP",
            "url": "https://erp.example.com/hooks",
            "event_types": ["ticket.created", "ticket.state_changed"],
            "organization": customer_org.pk,
            "active": "on",
        },
        follow=True,
    )
    subscription = Subscription.objects.get()
    assert subscription.event_types == ["ticket.created", "ticket.state_changed"]
    assert subscription.organization == customer_org
    assert subscription.include_internal is False
    assert subscription.created_by == admin_user
    assert subscription.secret.startswith("whsec_") and len(subscription.secret) > 40
    assert subscription.secret in response.content.decode()


@pytest.mark.parametrize("url", ["ftp://example.com/hook", "file:///etc/passwd", "javascript:alert(1)", "not a url"])
def test_only_http_and_https_urls_are_accepted(client, admin_user, url):
    client.force_login(admin_user)
    response = client.post(
        reverse("webhooks:subscription_new"), {"name": "Bad", "url": url, "event_types": ["ticket.created"]}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["url"]
    assert not Subscription.objects.exists()


def test_an_unknown_event_type_is_a_field_error(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("webhooks:subscription_new"),
        {"name": "Bad", "url": "https://example.com/", "event_types": ["ticket.exploded"]},
    )
    assert response.context["form"].errors["event_types"]
    assert not Subscription.objects.exists()


def test_editing_keeps_the_input_when_it_is_invalid(client, admin_user, subscription):
    client.force_login(admin_user)
    response = client.post(
        reverse("webhooks:subscription", args=[subscription.pk]),
        {"name": "ERP renamed", "url": "ftp://x", "event_types": ["ticket.created"]},
    )
    assert response.status_code == 400
    assert "ERP renamed" in response.content.decode()
    subscription.refresh_from_db()
    assert subscription.name == "ERP"


def test_the_test_event_button_delivers_a_signed_ping_at_once(client, admin_user, receiver):  # noqa: F811
    subscription = Subscription.objects.create(name="Receiver", url=receiver.url, event_types=["ticket.created"])
    receiver.secret = subscription.secret
    client.force_login(admin_user)
    response = client.post(reverse("webhooks:send_test", args=[subscription.pk]), follow=True)
    [request] = receiver.received
    assert request.headers["X-Servicedesk-Event"] == "ping"
    assert request.signature_valid
    ping = subscription.deliveries.get()
    assert (ping.event_type, ping.status, ping.last_status_code) == ("ping", DeliveryStatus.DELIVERED, 200)
    page = response.content.decode()
    assert "Delivered: the receiver answered 200" in page
    assert f'href="{reverse("webhooks:delivery", args=[subscription.pk, ping.pk])}"' in page


def test_a_failed_test_event_says_so_and_will_be_retried(client, admin_user, receiver):  # noqa: F811
    subscription = Subscription.objects.create(name="Receiver", url=receiver.url, event_types=["ticket.created"])
    receiver.script = [500]
    client.force_login(admin_user)
    response = client.post(reverse("webhooks:send_test", args=[subscription.pk]), follow=True)
    assert "Not delivered (HTTP 500); it will be retried." in response.content.decode()
    assert subscription.deliveries.get().status == DeliveryStatus.PENDING


def test_redelivering_sends_the_same_event_again_as_a_new_delivery(client, admin_user, receiver):  # noqa: F811
    subscription = Subscription.objects.create(name="Receiver", url=receiver.url, event_types=["ticket.created"])
    failed = a_delivery(subscription, body='{"id": "x"}', attempts=8)
    client.force_login(admin_user)
    client.post(reverse("webhooks:redeliver", args=[subscription.pk, failed.pk]))
    again = subscription.deliveries.exclude(pk=failed.pk).get()
    assert (again.event_id, again.body, again.status) == (failed.event_id, failed.body, DeliveryStatus.DELIVERED)
    assert receiver.received[0].body == b'{"id": "x"}'


def test_a_new_secret_replaces_the_old_one(client, admin_user, subscription):
    old = subscription.secret
    client.force_login(admin_user)
    client.post(reverse("webhooks:rotate_secret", args=[subscription.pk]))
    subscription.refresh_from_db()
    assert subscription.secret != old


def test_deleting_a_subscription_deletes_its_log(client, admin_user, subscription):
    a_delivery(subscription)
    client.force_login(admin_user)
    response = client.post(reverse("webhooks:delete", args=[subscription.pk]))
    assert response["Location"] == reverse("webhooks:subscriptions")
    assert not Subscription.objects.exists()
    assert not Delivery.objects.exists()


def test_a_delivery_of_another_subscription_is_not_found_under_this_one(client, admin_user, subscription):
    other = Subscription.objects.create(name="Other", url="https://example.com/", event_types=[])
    foreign = a_delivery(other)
    client.force_login(admin_user)
    assert client.get(reverse("webhooks:delivery", args=[subscription.pk, foreign.pk])).status_code == 404
    assert client.post(reverse("webhooks:redeliver", args=[subscription.pk, foreign.pk])).status_code == 404


def test_the_delivery_log_shows_status_attempts_answer_and_time(client, admin_user, subscription):
    a_delivery(
        subscription,
        status=DeliveryStatus.FAILED,
        attempts=8,
        last_status_code=502,
        last_duration_ms=1234,
        last_attempt_at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        last_error="HTTP 502",
        ticket_number="2026-000042",
    )
    client.force_login(admin_user)
    page = client.get(reverse("webhooks:subscription", args=[subscription.pk])).content.decode()
    assert "2026-000042" in page
    assert "Failed" in page
    assert "502" in page
    assert "1234 ms" in page
    filtered = client.get(reverse("webhooks:subscription", args=[subscription.pk]), {"status": "delivered"})
    assert "2026-000042" not in filtered.content.decode()


@pytest.mark.parametrize("rows", [3, 30])
def test_the_delivery_log_costs_the_same_queries_for_3_and_30_rows(
    client, admin_user, subscription, rows, django_assert_max_num_queries
):
    for number in range(rows):
        a_delivery(subscription, ticket_number=f"2026-{number:06d}", last_status_code=500, last_duration_ms=10)
    client.force_login(admin_user)
    url = reverse("webhooks:subscription", args=[subscription.pk])
    with django_assert_max_num_queries(6):
        response = client.get(url)
    assert len(response.context["page_obj"].object_list) == rows


@pytest.mark.parametrize("rows", [3, 30])
def test_the_subscription_list_costs_the_same_queries_for_3_and_30_rows(
    client, admin_user, customer_org, rows, django_assert_max_num_queries
):
    for number in range(rows):
        sub = Subscription.objects.create(
            name=f"S{number}", url="https://example.com/", event_types=["ticket.created"], organization=customer_org
        )
        a_delivery(sub)
    client.force_login(admin_user)
    with django_assert_max_num_queries(4):
        response = client.get(reverse("webhooks:subscriptions"))
    assert response.content.decode().count('class="badge has-open"') == rows  # one failed delivery each
