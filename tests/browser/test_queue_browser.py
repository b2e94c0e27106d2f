"""The desk's queues in a real browser: switching queues, filtering and searching swap the table in place."""

import re

import pytest
from playwright.sync_api import expect

from servicedesk.tickets import actions
from servicedesk.tickets.models import Level
from tests.browser.conftest import htmx_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def desk_tickets(l1_agent, customer_user):
    def open_(subject, **kwargs):
        return actions.open_ticket(actor=l1_agent, subject=subject, requester=customer_user, **kwargs)

    mine = open_("Outlook keeps asking for a password")
    actions.take(mine, actor=l1_agent)
    return {
        "mine": mine,
        "vpn_down": open_("VPN down for the whole office", impact=Level.HIGH, urgency=Level.HIGH),
        "server_down": open_("File server down", impact=Level.HIGH, urgency=Level.HIGH),
        "vpn_slow": open_("VPN slow in the afternoon"),
    }


def test_agent_switches_queue_filters_and_searches_without_reloading(sign_in, l1_agent, desk_tickets, live_server):
    page = sign_in(l1_agent)
    page.goto(f"{live_server.url}/")
    rows = page.locator("#queue-results tbody tr")
    # Lucie has a ticket of her own, so the desk opens on "Mine".
    expect(page.locator(".queue-tab.current")).to_contain_text("Mine")
    expect(rows).to_have_count(1)
    page.evaluate("window.stillTheSamePage = true")  # a full reload would forget this

    page.locator('.queue-tab[data-queue="unassigned"]').click()
    expect(page.locator(".queue-tab.current")).to_contain_text("Unassigned")
    expect(rows).to_have_count(3)
    expect(page).to_have_url(re.compile(r"queue=unassigned"))
    htmx_idle(page)

    page.select_option("#filter-priority", "1")
    expect(rows).to_have_count(2)
    expect(page).to_have_url(re.compile(r"priority=1"))
    htmx_idle(page)
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_be_focused()
    page.keyboard.press("k")
    expect(rows.nth(0)).to_be_focused()

    page.locator("#queue-search").press_sequentially("vpn", delay=30)
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(desk_tickets["vpn_down"].number)
    expect(page).to_have_url(re.compile(r"q=vpn"))
    assert page.evaluate("window.stillTheSamePage") is True

    # The pushed URL, loaded afresh, shows the same list.
    page.reload()
    expect(page.locator("#queue-search")).to_have_value("vpn")
    expect(page.locator("#filter-priority")).to_have_value("1")
    expect(rows).to_have_count(1)

    # Keyboard: "j" focuses the first row, Enter opens the ticket.
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(rows.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(re.escape(desk_tickets["vpn_down"].get_absolute_url()) + "$"))
