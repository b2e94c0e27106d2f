"""A superuser subscribes a receiver to ticket events and sends it a test event, in Chromium."""

import pytest
from playwright.sync_api import expect

from servicedesk.webhooks.models import Subscription
from tests.test_webhooks_delivery import receiver  # noqa: F401  (the real HTTP receiver fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_subscribes_a_receiver_and_sends_it_a_test_event(sign_in, live_server, admin_user, receiver):  # noqa: F811
    page = sign_in(admin_user)
    page.get_by_role("link", name="Webhooks").click()
    page.get_by_role("link", name="New subscription").click()
    page.get_by_label("Name").fill("Our ERP")
    page.get_by_label("URL").fill(receiver.url)
    page.get_by_label("Ticket created").check()
    page.get_by_label("Ticket state changed (including reopening)").check()
    page.get_by_role("button", name="Create subscription").click()

    subscription = Subscription.objects.get()
    assert subscription.event_types == ["ticket.created", "ticket.state_changed"]
    expect(page.locator(".webhook-secret")).to_have_text(subscription.secret)
    receiver.secret = subscription.secret

    page.get_by_role("button", name="Send a test event").click()
    expect(page.locator(".message.success")).to_contain_text("Delivered: the receiver answered 200")
    expect(page.locator(".webhook-log tbody tr")).to_have_count(1)
    expect(page.locator(".webhook-log tbody tr")).to_contain_text("ping")
    [request] = receiver.received
    assert request.signature_valid

    page.locator(".webhook-log tbody tr a").click()
    expect(page.get_by_role("heading", name="Attempts")).to_be_visible()
    expect(page.locator(".webhook-attempts tbody tr")).to_have_count(1)
