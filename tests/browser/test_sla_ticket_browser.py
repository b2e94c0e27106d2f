"""The SLA where the agent looks, in a real browser: the badge in the queue, the ticket's SLA panel, and the paused
marker once the ticket waits for the customer."""

import re

import pytest
from playwright.sync_api import expect

from servicedesk.sla.models import Contract, ServiceCalendar, SlaPlan, SlaTarget
from servicedesk.tickets import actions
from tests.browser.conftest import htmx_idle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def sla_ticket(l1_agent, customer_user, customer_org):
    """A P3 ticket under a 24×7 contract (4 h reaction, 16 h resolution), entered now: the clock is the real one."""
    import datetime as dt

    calendar = ServiceCalendar.objects.create(
        name="Browser 24×7",
        holiday_country="",
        **dict.fromkeys(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"), "00:00-24:00"),
    )
    plan = SlaPlan.objects.create(name="Round the clock")
    for priority in (1, 2, 3, 4):
        SlaTarget.objects.create(
            plan=plan,
            priority=priority,
            reaction_minutes=240,
            reaction_calendar=calendar,
            resolution_minutes=960,
            resolution_calendar=calendar,
        )
    plan.publish()
    Contract.objects.create(
        organization=customer_org, name="Support 24×7", plan=plan, valid_from=dt.date.today() - dt.timedelta(days=30)
    )
    return actions.open_ticket(actor=l1_agent, subject="Mail server rejects mail", requester=customer_user)


def test_agent_sees_the_badge_the_panel_and_the_paused_marker(sign_in, live_server, l1_agent, sla_ticket):
    page = sign_in(l1_agent)
    page.goto(f"{live_server.url}/?queue=breaching")
    row = page.locator(".queue-row", has_text="Mail server rejects mail")
    badge = row.locator(".sla-badge")
    expect(badge).to_have_attribute("data-timer", "reaction")
    expect(badge).to_have_class(re.compile(r"\bsla-ok\b"))
    expect(badge).to_have_text(re.compile(r"^3 h 5\d min$|^4 h$"))

    row.locator("a").click()
    page.wait_for_url(f"**{sla_ticket.get_absolute_url()}")
    panel = page.locator("#sla-panel")
    expect(panel.locator(".sla-contract")).to_have_text("Support 24×7")
    expect(panel.locator(".sla-plan")).to_contain_text("Round the clock v1")
    expect(panel.locator(".sla-timer-reaction .sla-target")).to_have_text("4 h")
    expect(panel.locator(".sla-timer-resolution .sla-target")).to_have_text("16 h")
    expect(panel.locator(".sla-timer-reaction .sla-due time")).to_have_attribute("datetime", re.compile(r"^\d{4}-"))
    expect(panel.locator(".sla-timer-resolution .sla-state")).to_have_text("running")
    expect(panel.locator(".sla-timeline")).to_contain_text("SLA started: Support 24×7 · Round the clock v1")

    # Taking it meets the reaction; waiting for the customer pauses the resolution.
    page.click("#form-take button[type=submit]")
    expect(page.locator(".badge.state")).to_have_text("Assigned")
    expect(panel.locator(".sla-timer-reaction .sla-state")).to_have_text("met")
    page.click("#action-state > summary")
    page.select_option("#id_state_to_state", "waiting_customer")
    page.click("#form-state button[type=submit]")
    expect(page.locator(".badge.state")).to_have_text("Waiting for customer")
    htmx_idle(page)
    expect(page.locator("#sla-panel .sla-paused-since")).to_contain_text("Paused since")
    expect(page.locator("#sla-panel .sla-timer-resolution .sla-state")).to_have_text("paused")
    expect(page.locator("#sla-timeline")).to_contain_text("Resolution paused: the ticket is Waiting for customer")

    page.goto(f"{live_server.url}/?queue=open")
    badge = page.locator(".queue-row", has_text="Mail server rejects mail").locator(".sla-badge")
    expect(badge).to_have_attribute("data-timer", "resolution")
    marker = badge.locator(".sla-paused-marker")
    expect(marker).to_have_text("⏸")
    expect(marker).to_have_attribute("title", "paused: waiting for customer")
    # The paused ticket's only timer is paused: it leaves the "Breaching soon" queue.
    page.goto(f"{live_server.url}/?queue=breaching")
    expect(page.locator(".queue-row", has_text="Mail server rejects mail")).to_have_count(0)
