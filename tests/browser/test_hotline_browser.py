"""An agent logs a phone call in a real browser, using the keyboard the way one does during a call."""

import pytest
from playwright.sync_api import expect

from servicedesk.accounts.models import Contact
from servicedesk.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_logs_a_call_resolved_on_the_spot(sign_in, live_server, l1_agent, customer_user, other_customer):
    other_customer.phone = "+420 777 000 111"
    other_customer.save()
    page = sign_in(l1_agent)
    page.goto(f"{live_server.url}/hotline/")

    # The search box has the focus: the agent just types what the caller says their number is.
    search = page.locator("#caller-q")
    expect(search).to_be_focused()
    page.keyboard.type("601 234")
    results = page.locator("#caller-results .caller-option[data-contact]")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(customer_user.name)
    expect(results.first).to_contain_text(customer_user.organization.name)

    # ↓ then Enter picks the caller; the focus moves on to the subject.
    page.keyboard.press("ArrowDown")
    expect(results.first).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#caller .caller-picked")).to_contain_text(customer_user.name)
    expect(page.locator("#id_subject")).to_be_focused()

    page.keyboard.type("Outlook asks for the password again and again")
    page.fill("#id_description", "Since the password change this morning.")
    page.select_option("#id_urgency", "high")
    expect(page.locator("#id_resolution")).to_be_hidden()
    page.check("#id_resolved")
    expect(page.locator("#id_resolution")).to_be_visible()
    page.fill("#id_resolution", "Removed the old password from the credential manager.")
    page.fill("#id_minutes", "6")
    page.click("button[type=submit].primary >> text=Save the call")

    expect(page.locator(".ticket-header .badge.state")).to_have_attribute("data-state", "resolved")
    expect(page.locator(".ticket-header")).to_contain_text("Phone")
    expect(page.locator(".messages")).to_contain_text("resolved")
    ticket = Ticket.objects.get()
    assert page.url.endswith(ticket.get_absolute_url())
    assert (ticket.requester_id, ticket.state, ticket.channel) == (customer_user.pk, "resolved", "phone")
    assert ticket.work_log.get().minutes == 6


def test_agent_logs_a_call_from_a_new_caller(sign_in, live_server, l1_agent, customer_org):
    page = sign_in(l1_agent)
    page.goto(f"{live_server.url}/hotline/")
    expect(page.locator("#caller-q")).to_be_focused()  # autofocus: the agent types at once
    page.keyboard.type("731 555 666")
    new_caller = page.locator("#caller-results .caller-new")
    expect(new_caller).to_contain_text("731 555 666")
    new_caller.click()
    expect(page.locator("#id_new_phone")).to_have_value("731 555 666")
    expect(page.locator("#id_new_name")).to_be_focused()
    page.keyboard.type("Hana Nová")
    page.select_option("#id_new_organization", label=customer_org.name)
    page.fill("#id_subject", "New starter needs an account")
    page.click("button[type=submit].primary >> text=Save the call")
    expect(page.locator(".ticket-header")).to_contain_text("Hana Nová")
    assert Contact.objects.get(name="Hana Nová").organization == customer_org


def test_enter_picks_the_first_caller_and_change_caller_goes_back_to_the_search(
    sign_in, live_server, l1_agent, customer_user
):
    page = sign_in(l1_agent)
    page.goto(f"{live_server.url}/hotline/")
    expect(page.locator("#caller-q")).to_be_focused()  # autofocus: the agent types at once
    page.keyboard.type("jana@alfa")
    expect(page.locator("#caller-results .caller-option[data-contact]")).to_have_count(1)
    page.keyboard.press("Enter")
    expect(page.locator("#caller input[name=contact]")).to_have_value(str(customer_user.pk))
    expect(page.locator("#caller-results .caller-option")).to_have_count(0)
    page.click("text=Change caller")
    expect(page.locator("#caller input[name=contact]")).to_have_count(0)
    expect(page.locator("#caller-q")).to_be_focused()
