"""A visitor asks a question through /ask/ in Chromium, retyping the captcha (answered from its store)."""

import re

import pytest
from captcha.models import CaptchaStore
from playwright.sync_api import expect

from servicedesk.accounts.models import Contact
from servicedesk.ask.models import ConsentRecord
from servicedesk.mail.models import OutboundMessage
from servicedesk.tickets.models import Ticket
from tests.ask_helpers import make_category

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _mail_to_the_outbox(settings):
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"


@pytest.fixture
def category(first_level_team):
    return make_category()


def fill_in(page, category, captcha_answer=None):
    page.select_option("#id_category", str(category.pk))
    page.fill("#id_question", "Can you install a new printer in our office?")
    page.fill("#id_name", "Karel Nový")
    page.fill("#id_email", "karel@example.org")
    page.check("#id_consent")
    hashkey = page.locator("input[name=captcha_0]").input_value()
    answer = captcha_answer or CaptchaStore.objects.get(hashkey=hashkey).response
    page.fill("input[name=captcha_1]", answer)


def test_visitor_asks_a_question_and_gets_a_ticket_number(page, live_server, category):
    page.goto(f"{live_server.url}/ask/")
    expect(page.locator("html")).to_have_attribute("lang", "cs")  # Czech unless the visitor switches
    page.get_by_role("link", name="EN").click()
    expect(page.get_by_role("heading", name="Ask us")).to_be_visible()
    expect(page.locator("img.captcha")).to_be_visible()
    fill_in(page, category)
    page.get_by_role("button", name="Send the question").click()

    number = page.locator(".ask-number")
    expect(number).to_have_text(re.compile(r"^\d{4}-\d{6}$"))
    ticket = Ticket.objects.get()
    assert number.inner_text() == ticket.number
    assert ticket.requester == Contact.objects.get(email="karel@example.org")
    assert ConsentRecord.objects.get().ticket == ticket
    assert OutboundMessage.objects.get().ticket == ticket
    page.reload()  # a reload shows the confirmation again and sends nothing
    expect(page.locator(".ask-number")).to_have_text(ticket.number)
    assert Ticket.objects.count() == 1


def test_wrong_code_is_explained_and_the_question_is_kept(page, live_server, category):
    page.goto(f"{live_server.url}/ask/?lang=en")
    fill_in(page, category, captcha_answer="wrong")
    page.get_by_role("button", name="Send the question").click()

    expect(page.locator("#captcha-errors")).to_contain_text("The code does not match the picture")
    expect(page.locator("#id_question")).to_have_value("Can you install a new printer in our office?")
    expect(page.locator("#id_email")).to_have_value("karel@example.org")
    expect(page.locator("input[name=captcha_1]")).to_have_value("")
    assert Ticket.objects.count() == 0
    assert Contact.objects.count() == 0

    # With the new code retyped, the same question goes through.
    hashkey = page.locator("input[name=captcha_0]").input_value()
    page.fill("input[name=captcha_1]", CaptchaStore.objects.get(hashkey=hashkey).response)
    page.check("#id_consent")
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator(".ask-number")).to_have_text(Ticket.objects.get().number)


def test_another_code_button_replaces_the_picture(page, live_server, category):
    page.goto(f"{live_server.url}/ask/?lang=en")
    first = page.locator("input[name=captcha_0]").input_value()
    page.get_by_role("button", name="Another code").click()
    expect(page.locator("input[name=captcha_0]")).not_to_have_value(first)
    fill_in(page, category)
    page.get_by_role("button", name="Send the question").click()
    expect(page.locator(".ask-number")).to_be_visible()
