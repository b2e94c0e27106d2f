"""The public "Ask us" form: a visitor's question becomes a ticket, and nothing else is created on a refusal."""

from __future__ import annotations

import pytest
from captcha.models import CaptchaStore
from django.db import connection
from django.test.utils import CaptureQueriesContext

from servicedesk.accounts.models import Contact
from servicedesk.ask.models import ConsentRecord, ConsentText, RateCounter
from servicedesk.mail.models import OutboundMessage
from servicedesk.tickets.models import Ticket
from tests.ask_helpers import answers, make_category

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _outbox(settings):
    """pytest-django swaps in the locmem backend; the product writes e-mail into the outbox table."""
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"


@pytest.fixture
def category(first_level_team):
    return make_category()


def nothing_created() -> None:
    assert Ticket.objects.count() == 0
    assert ConsentRecord.objects.count() == 0
    assert OutboundMessage.objects.count() == 0


def test_form_defaults_to_czech_and_lists_categories_in_the_page_language(client, category):
    czech = client.get("/ask/", HTTP_ACCEPT_LANGUAGE="en")
    assert czech.status_code == 200
    assert czech["Content-Language"] == "cs"
    assert "Správa serverů pro dotazy" in czech.content.decode()
    english = client.get("/ask/?lang=en").content.decode()
    assert "Server administration questions" in english
    assert "Správa serverů pro dotazy" not in english
    assert ConsentText.current().text_en in english


def test_question_becomes_a_ticket_with_a_new_contact_and_a_consent_record(client, category, customer_org):
    data = answers(client, category, email="Karel@Alfa.cz", REMOTE_ADDR="203.0.113.7")
    response = client.post("/ask/", data, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302

    ticket = Ticket.objects.get()
    assert (ticket.channel, ticket.type, ticket.category) == ("form", "question", category)
    assert ticket.subject == "How do I get a VPN account?"
    assert "two new colleagues" in ticket.description
    contact = ticket.requester
    assert (contact.name, contact.email, contact.language) == ("Karel Nový", "karel@alfa.cz", "en")
    assert contact.organization == customer_org == ticket.organization  # matched by the domain alfa.cz
    consent = ConsentRecord.objects.get(ticket=ticket)
    assert consent.consent_text == ConsentText.current()
    assert consent.ip_address == "203.0.113.7"
    assert consent.agreed_at == ticket.created_at
    assert consent.language == "en"

    page = client.get(response["Location"])
    assert ticket.number in page.content.decode()


def test_unknown_domain_leaves_the_organization_for_an_agent(client, category, customer_org):
    client.post("/ask/", answers(client, category, email="someone@unknown.example"))
    ticket = Ticket.objects.get()
    assert ticket.organization is None
    assert ticket.requester.organization is None


def test_existing_contact_is_matched_by_email_ignoring_case(client, category, customer_user):
    client.post("/ask/", answers(client, category, email="JANA@alfa.cz", name="Someone Else"))
    ticket = Ticket.objects.get()
    assert ticket.requester == customer_user
    assert ticket.organization == customer_user.organization
    assert Contact.objects.filter(email="jana@alfa.cz").count() == 1
    assert Contact.objects.get(pk=customer_user.pk).name == "Jana Černá"  # a visitor cannot rename a contact


def test_existing_contact_is_matched_by_another_address(client, category, customer_user):
    customer_user.other_emails = ["Jana.Cerna@Private.example"]
    customer_user.save()
    client.post("/ask/", answers(client, category, email="jana.cerna@private.example"))
    assert Ticket.objects.get().requester == customer_user


@pytest.mark.parametrize(
    ("lang", "category_name"), [("cs", "Správa serverů pro dotazy"), ("en", "Server administration questions")]
)
def test_confirmation_email_in_the_visitors_language_carries_the_number(client, category, lang, category_name):
    client.post("/ask/", answers(client, category, lang=lang))
    ticket = Ticket.objects.get()
    message = OutboundMessage.objects.get()
    assert message.to == ["karel@example.org"]
    assert message.kind == "ask_confirmation"
    assert message.ticket == ticket
    assert ticket.number in message.subject
    assert f"Content-Language: {lang}" in bytes(message.raw).decode()
    body = _body(message)
    assert ticket.number in body
    assert category_name in body  # rendered with the visitor's language active
    assert "two new colleagues" not in body  # the question is not echoed to whatever address was typed


def _body(message: OutboundMessage) -> str:
    from email import message_from_bytes, policy

    parsed = message_from_bytes(bytes(message.raw), policy=policy.default)
    return parsed.get_body().get_content()  # type: ignore[union-attr]


def test_consent_record_keeps_the_version_the_visitor_was_shown(client, category, admin_user):
    data = answers(client, category)
    shown = ConsentText.objects.get(version=int(data["consent_version"]))
    newer = ConsentText.publish(text_cs="Nový text", text_en="New text", by=admin_user)
    client.post("/ask/", data)
    record = ConsentRecord.objects.get()
    assert record.consent_text == shown != newer
    assert newer.version == shown.version + 1


# --- Refusals: a clear message, the typed text kept, nothing created ---------------------------------------------


def test_wrong_captcha_is_a_field_error_keeping_what_was_typed(client, category):
    data = answers(client, category, captcha_1="wrong")
    response = client.post("/ask/", data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "The code does not match the picture" in html
    assert "two new colleagues" in html and "Karel Nový" in html and "karel@example.org" in html
    assert 'name="captcha_1"' in html and "wrong" not in html  # a new code to retype, the old answer gone
    assert data["captcha_0"] not in html
    nothing_created()
    assert Contact.objects.count() == 0


def test_wrong_captcha_writes_nothing_but_the_used_code(client, category):
    data = answers(client, category, captcha_1="wrong")
    with CaptureQueriesContext(connection) as queries:
        client.post("/ask/", data)
    writes = [q["sql"] for q in queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}]
    # The used code is deleted; the re-rendered form gets a new one. Nothing else is written.
    assert all("captcha_captchastore" in sql for sql in writes), writes
    assert RateCounter.objects.count() == 0


def test_a_captcha_answer_works_only_once(client, category):
    data = answers(client, category)
    assert client.post("/ask/", data).status_code == 302
    again = client.post("/ask/", data)
    assert again.status_code == 400
    assert Ticket.objects.count() == 1
    assert not CaptchaStore.objects.filter(hashkey=data["captcha_0"]).exists()


def test_unknown_captcha_key_is_refused(client, category):
    data = answers(client, category, captcha_0="0" * 40)
    assert client.post("/ask/", data).status_code == 400
    nothing_created()


def test_missing_consent_is_refused(client, category):
    data = answers(client, category)
    del data["consent"]
    response = client.post("/ask/", data)
    assert response.status_code == 400
    assert "Without your consent we cannot process your question." in response.content.decode()
    nothing_created()
    assert Contact.objects.count() == 0


@pytest.mark.parametrize("version", ["", "999", "1x", "²", "9" * 40])
def test_unknown_consent_version_is_refused(client, category, version):
    response = client.post("/ask/", answers(client, category, consent_version=version))
    assert response.status_code == 400
    assert "The consent text has changed" in response.content.decode()
    nothing_created()


def test_filled_honeypot_is_refused(client, category):
    response = client.post("/ask/", answers(client, category, website="http://spam.example"))
    assert response.status_code == 400
    assert "looks automated" in response.content.decode()
    nothing_created()
    assert Contact.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"),
    [("question", "x" * 5001), ("name", "N" * 201), ("email", "a" * 250 + "@example.org")],
)
def test_too_long_fields_are_refused(client, category, field, value):
    response = client.post("/ask/", answers(client, category, **{field: value}))
    assert response.status_code == 400
    assert f'id="{field}-errors"' in response.content.decode()
    nothing_created()
    assert Contact.objects.count() == 0


def test_huge_body_is_refused_before_it_is_read(client, category):
    response = client.post("/ask/", answers(client, category, question="x" * 200_000))
    assert response.status_code == 400
    assert "Your question is too long" in response.content.decode()
    nothing_created()


def test_refusal_is_in_the_visitors_language(client, category):
    response = client.post("/ask/", answers(client, category, lang="cs", captcha_1="wrong"))
    assert response["Content-Language"] == "cs"
    assert '<html lang="cs">' in response.content.decode()


def test_rate_limit_per_ip_address(client, category, settings):
    settings.ASK_RATE_LIMIT_PER_IP = "2/10m"
    for number in range(2):
        data = answers(client, category, email=f"visitor{number}@example.org")
        assert client.post("/ask/", data, REMOTE_ADDR="198.51.100.1").status_code == 302
    refused = client.post("/ask/", answers(client, category, email="third@example.org"), REMOTE_ADDR="198.51.100.1")
    assert refused.status_code == 429
    html = refused.content.decode()
    assert "Too many questions from your network" in html
    assert "third@example.org" in html  # the typed text is kept for later
    assert Ticket.objects.count() == 2
    assert not Contact.objects.filter(email="third@example.org").exists()
    other_ip = client.post("/ask/", answers(client, category, email="third@example.org"), REMOTE_ADDR="198.51.100.2")
    assert other_ip.status_code == 302


def test_rate_limit_per_email_address(client, category, settings):
    settings.ASK_RATE_LIMIT_PER_EMAIL = "1/1h"
    assert client.post("/ask/", answers(client, category), REMOTE_ADDR="198.51.100.1").status_code == 302
    refused = client.post("/ask/", answers(client, category, email="KAREL@example.org"), REMOTE_ADDR="198.51.100.9")
    assert refused.status_code == 429
    assert "Too many questions from this e-mail address" in refused.content.decode()
    assert Ticket.objects.count() == 1
    assert ConsentRecord.objects.count() == 1
    assert OutboundMessage.objects.count() == 1


def test_rate_limit_message_in_czech_page(client, category, settings):
    settings.ASK_RATE_LIMIT_PER_IP = "0/10m"
    refused = client.post("/ask/", answers(client, category, lang="cs"))
    assert refused.status_code == 429
    assert refused["Content-Language"] == "cs"
    nothing_created()


def test_get_and_post_only(client):
    assert client.put("/ask/").status_code == 405
