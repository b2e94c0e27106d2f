"""An agent finds a held-back e-mail in the quarantine and releases it into a new ticket, in Chromium."""

import pytest
from playwright.sync_api import expect

from servicedesk.mail import ingest
from servicedesk.mail.models import InboundMessage, InboundStatus, Mailbox
from tests.mail.test_ingest import eml

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_releases_a_quarantined_message_into_a_new_ticket(sign_in, live_server, l1_agent, customer_org, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 400
    mailbox = Mailbox.objects.create(name="Helpdesk", address="helpdesk@desk.example", protocol="none")
    held = ingest.receive(
        eml(sender="Karel Novák <karel@alfa.cz>", subject="Scanned invoices", body="See the scans. " + "x" * 500),
        mailbox=mailbox,
        source="smtp",
    )
    assert held.status == InboundStatus.QUARANTINED

    page = sign_in(l1_agent)
    quarantine_link = page.locator(".quarantine-link")
    expect(quarantine_link.locator(".quarantine-count")).to_have_text("1")
    quarantine_link.click()
    expect(page.locator(".quarantine-table tbody tr")).to_contain_text("too large")
    page.get_by_role("link", name="Scanned invoices").click()
    expect(page.locator(".quarantine-reason")).to_have_text("too large")
    page.get_by_role("button", name="Release").click()

    held.refresh_from_db()
    assert held.status == InboundStatus.RELEASED
    assert held.handled_by == l1_agent
    ticket = held.ticket
    expect(page).to_have_url(f"{live_server.url}/tickets/{ticket.number}/")
    expect(page.locator("h1")).to_contain_text("Scanned invoices")
    assert ticket.requester.email == "karel@alfa.cz"
    assert ticket.organization == customer_org
    assert not InboundMessage.objects.filter(status=InboundStatus.QUARANTINED).exists()
