"""A ticket's day in a real browser: first level escalates, the resolver takes it, logs work and resolves it."""

import pytest
from playwright.sync_api import expect

from servicedesk.tickets.models import Ticket, WorkLogEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def open_action(page, name: str) -> None:
    page.click(f"#action-{name} > summary")
    expect(page.locator(f"#action-{name}")).to_have_attribute("open", "")


def test_escalate_take_log_work_and_resolve(sign_in, live_server, l1_agent, resolver, ticket):
    ticket_url = f"{live_server.url}{ticket.get_absolute_url()}"

    # First level: the ticket is new and with the Servicedesk team; escalate it to Servers.
    page = sign_in(l1_agent)
    page.goto(ticket_url)
    expect(page.locator(".ticket-subject")).to_have_text("Tiskárna v účtárně netiskne")
    expect(page.locator(".badge.state")).to_have_text("New")
    expect(page.locator("#form-link .errorlist")).to_have_count(0)  # a fresh ticket, fresh forms
    expect(page.locator(".ticket-team")).to_have_text("Servicedesk")

    page.evaluate("window.sameDocument = true")  # survives only if htmx swaps without a reload
    open_action(page, "escalate")
    expect(page.locator("#id_escalate_reason")).to_be_focused()  # the text field takes the keyboard
    page.select_option("#id_escalate_team", label="Servers")
    page.fill("#id_escalate_reason", "The print server does not spool")
    page.click("#form-escalate button[type=submit]")

    expect(page.locator(".ticket-team")).to_have_text("Servers")
    escalated = page.locator(".entry.event-escalated")
    expect(escalated).to_contain_text("Escalated")
    expect(escalated).to_contain_text("Servicedesk")
    expect(escalated).to_contain_text("Servers")
    expect(escalated).to_contain_text("The print server does not spool")
    expect(page.locator(".messages")).to_contain_text("The ticket was escalated to Servers.")
    assert page.evaluate("window.sameDocument") is True

    page.click(".userbox button[type=submit].link")  # sign out
    page.wait_for_url("**/login/**")

    # The resolver of the Servers team takes it.
    page = sign_in(resolver)
    page.goto(ticket_url)
    page.click("#form-take button[type=submit]")
    expect(page.locator(".ticket-agent")).to_have_text("Radek Novák")
    expect(page.locator(".badge.state")).to_have_text("Assigned")
    expect(page.locator(".entry.event-assigned")).to_contain_text("Radek Novák")
    expect(page.locator("#form-take")).to_have_count(0)  # nothing left to take

    # Logs half an hour of remote work.
    open_action(page, "work")
    expect(page.locator("#id_work_minutes")).to_be_focused()
    page.fill("#id_work_minutes", "30")
    page.select_option("#id_work_kind", "remote")
    page.fill("#id_work_note", "Restarted the spooler")
    page.click("#form-work button[type=submit]")
    work = page.locator(".entry.work")
    expect(work).to_have_count(1)
    expect(work).to_contain_text("30 minutes")
    expect(work).to_contain_text("Remote")
    expect(work).to_contain_text("Restarted the spooler")
    expect(page.locator(".work-total")).to_have_text("30 min")
    expect(page.locator(".work-billable")).to_have_text("30 min")

    # Resolves it with a public reply to the customer.
    open_action(page, "resolve")
    page.fill("#id_resolve_resolution", "The spooler was restarted; printing works again.")
    page.click("#form-resolve button[type=submit]")
    expect(page.locator(".badge.state")).to_have_text("Resolved")
    reply = page.locator(".entry.article-reply")
    expect(reply).to_have_count(1)
    expect(reply).to_contain_text("The spooler was restarted; printing works again.")
    expect(reply).to_contain_text("Radek Novák")
    expect(page.locator(".entry.event-state_changed").last).to_contain_text("Resolved")

    # What the page showed is what was stored.
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.state, ticket.team.name, ticket.assigned_to) == ("resolved", "Servers", resolver)
    assert WorkLogEntry.objects.get(ticket=ticket).minutes == 30


def test_refused_action_shows_the_reason_beside_the_form_and_keeps_the_text(sign_in, live_server, l1_agent, ticket):
    page = sign_in(l1_agent)
    page.goto(f"{live_server.url}{ticket.get_absolute_url()}")
    page.evaluate("window.sameDocument = true")
    open_action(page, "link")
    page.fill("#id_link_number", "1999-000001")
    page.click("#form-link button[type=submit]")
    expect(page.locator("#form-link .errorlist")).to_contain_text("There is no ticket 1999-000001.")
    expect(page.locator("#id_link_number")).to_have_value("1999-000001")
    expect(page.locator("#action-link")).to_have_attribute("open", "")
    assert page.evaluate("window.sameDocument") is True

    open_action(page, "note")
    page.fill("#id_note_body", "Customer called again")
    page.click("#form-note button[type=submit]")
    expect(page.locator(".entry.article-note")).to_contain_text("Customer called again")
    expect(page.locator(".badge.state")).to_have_text("New")
    expect(page.locator("#form-link .errorlist")).to_have_count(0)  # a fresh ticket, fresh forms
