"""The bell in a real browser: a breach shows under it, opening it leads to the ticket and the count drops."""

import pytest
from playwright.sync_api import expect

from servicedesk.notifications.models import NotificationKind
from servicedesk.notifications.service import notify

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_breach_under_the_bell_opens_the_ticket_and_the_count_drops(sign_in, l1_agent, ticket, live_server):
    notify([l1_agent.pk], kind=NotificationKind.OTHER, title="Someone mentioned you")
    notify(
        [l1_agent.pk],
        kind=NotificationKind.SLA_BREACHED,
        ticket=ticket,
        title=f"{ticket.number}: resolution deadline passed",
        email=False,
    )
    page = sign_in(l1_agent)
    page.goto(f"{live_server.url}/")
    bell = page.locator("#notification-bell")
    expect(bell.locator(".bell-count")).to_have_text("2")  # fetched by htmx after the page loaded

    bell.click()
    breach = page.locator(".notification.unread", has_text="resolution deadline passed")
    expect(breach).to_be_visible()
    breach.locator("a").click()
    page.wait_for_url(f"**{ticket.get_absolute_url()}")
    expect(page.locator("#notification-bell .bell-count")).to_have_text("1")
    page.goto(f"{live_server.url}/notifications/")
    expect(page.locator(".notification.unread")).to_have_count(1)
    expect(page.locator(".notification.read", has_text="resolution deadline passed")).to_have_count(1)
