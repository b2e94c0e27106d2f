"""The customer portal in Chromium: a customer files a ticket with a file, replies, and rates the resolution; a
manager sees a colleague's ticket and filters by requester; the page is one column on a phone."""

import pytest
from playwright.sync_api import expect

from servicedesk.portal.models import SatisfactionRating
from servicedesk.tickets import actions
from servicedesk.tickets.models import Article, Ticket
from tests.browser.conftest import htmx_idle
from tests.conftest import make_contact

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_files_replies_and_rates(sign_in, live_server, customer_user, l1_agent, server_item):
    page = sign_in(customer_user.user)
    page.goto(f"{live_server.url}/portal/")
    expect(page.locator(".empty")).to_contain_text("You have no tickets yet")

    # Report a problem, with a screenshot.
    page.get_by_role("link", name="Report a problem").first.click()
    page.fill("#id_subject", "Server SRV-DC01 neodpovídá")
    page.get_by_label("I cannot work at all").check()
    page.select_option("#id_item", label="SRV-DC01")
    page.fill("#id_description", "Nikdo se nepřihlásí do domény.")
    page.set_input_files(
        "#id_attachments", files=[{"name": "screen.png", "mimeType": "image/png", "buffer": b"\x89PNG\r\n\x1a\n"}]
    )
    page.get_by_role("button", name="Send").click()
    page.wait_for_url("**/portal/tickets/*/")
    ticket = Ticket.objects.get()
    expect(page.locator(".messages")).to_contain_text(ticket.number)
    expect(page.locator(".ticket-header h1")).to_contain_text("Server SRV-DC01 neodpovídá")
    expect(page.locator(".ticket-header .attachments")).to_contain_text("screen.png")
    assert ticket.priority == 1 and ticket.requester == customer_user

    # It is in the list.
    page.get_by_role("link", name="My tickets").click()
    expect(page.locator(".portal-ticket")).to_have_count(1)
    expect(page.locator(".portal-ticket")).to_contain_text(ticket.number)
    expect(page.locator(".portal-ticket .badge")).to_have_text("Received")
    page.locator(".portal-ticket-link").click()

    # Reply without a reload.
    page.evaluate("window.sameDocument = true")
    page.fill("#id_body", "Už i tiskárny hlásí chybu.")
    page.get_by_role("button", name="Send the reply").click()
    htmx_idle(page)
    expect(page.locator(".entry.from-customer")).to_contain_text("Už i tiskárny hlásí chybu.")
    expect(page.locator("#ticket-main .message.success")).to_have_text("Your reply was sent.")
    expect(page.locator("#id_body")).to_have_value("")
    assert page.evaluate("window.sameDocument") is True
    assert Article.objects.filter(author_contact=customer_user).count() == 1

    # The desk resolves it.
    actions.take(ticket, actor=l1_agent)
    actions.resolve(ticket, actor=l1_agent, resolution="Řadič domény restartován.")
    page.reload()
    expect(page.locator("#ticket-state")).to_have_text("Resolved – please confirm")
    expect(page.locator(".entry.from-desk")).to_contain_text("Řadič domény restartován.")

    # Rate it 5 with a comment.
    page.get_by_label("5 – excellent").check()
    page.fill("#id_comment", "Rychlé a přesné, díky.")
    page.get_by_role("button", name="Send the rating").click()
    htmx_idle(page)
    expect(page.locator("#current-rating")).to_contain_text("5 of 5")
    expect(page.locator(".steps")).to_contain_text("Resolution rated 5 of 5")
    rating = SatisfactionRating.objects.get(ticket=ticket)
    assert (rating.score, rating.comment, rating.contact) == (5, "Rychlé a přesné, díky.", customer_user)


def test_manager_sees_a_colleagues_ticket_and_filters_by_requester(
    sign_in, live_server, customer_manager, customer_user, l1_agent, customer_org
):
    colleague = make_contact(customer_org, "Karel Veselý", "karel@alfa.cz")
    janas = actions.open_ticket(actor=l1_agent, subject="Janina tiskárna", requester=customer_user)
    karels = actions.open_ticket(actor=l1_agent, subject="Karlův notebook", requester=colleague)

    page = sign_in(customer_manager.user)
    page.goto(f"{live_server.url}/portal/")
    expect(page.locator(".portal-ticket")).to_have_count(2)
    expect(page.locator("h1")).to_contain_text("Alfa Strojírny")

    page.select_option("#id_requester", label=str(colleague))  # htmx refreshes the list on change
    htmx_idle(page)
    expect(page.locator(".portal-ticket")).to_have_count(1)
    expect(page.locator(".portal-ticket")).to_contain_text(karels.number)
    assert f"requester={colleague.pk}" in page.url  # the filter is in the address, so it can be shared

    page.locator(".portal-ticket-link").click()
    expect(page.locator(".ticket-header h1")).to_contain_text("Karlův notebook")
    expect(page.locator(".ticket-facts")).to_contain_text("Karel Veselý")
    assert janas.number not in page.content()


def test_ticket_page_is_one_column_on_a_phone(sign_in, live_server, customer_user, ticket):
    page = sign_in(customer_user.user)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"{live_server.url}/portal/tickets/{ticket.number}/")
    conversation = page.locator(".portal-conversation").bounding_box()
    side = page.locator(".portal-side").bounding_box()
    assert conversation is not None and side is not None
    assert side["y"] >= conversation["y"] + conversation["height"] - 1  # below, not beside
    assert conversation["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # nothing wider than the screen
