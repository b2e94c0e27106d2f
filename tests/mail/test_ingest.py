"""The ingester: received mail becomes tickets, replies, notes — or waits in the quarantine. Nothing is lost."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
import time_machine

from servicedesk.accounts.models import Contact
from servicedesk.mail import ingest, outbound
from servicedesk.mail.models import (
    FailingAddress,
    InboundMessage,
    InboundStatus,
    Mailbox,
    OutboundMessage,
    OutboundStatus,
    StrangerPolicy,
    ThreadMessageId,
)
from servicedesk.mail.parsing import parse
from servicedesk.tickets import actions
from servicedesk.tickets.models import Article, ArticleKind, Channel, Ticket
from servicedesk.tickets.states import State

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def eml(
    *,
    sender: str = "Jana Černá <jana@alfa.cz>",
    subject: str = "Printer is broken",
    body: str = "It prints blank pages.",
    message_id: str = "<m1@alfa.cz>",
    in_reply_to: str = "",
    references: str = "",
    cc: str = "",
    extra: str = "",
) -> bytes:
    headers = [
        f"From: {sender}",
        "To: helpdesk@desk.example",
        f"Subject: {subject}",
        f"Message-ID: {message_id}",
        "Date: Mon, 02 Mar 2026 10:00:00 +0100",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
    ]
    if in_reply_to:
        headers.append(f"In-Reply-To: {in_reply_to}")
    if references:
        headers.append(f"References: {references}")
    if cc:
        headers.append(f"Cc: {cc}")
    if extra:
        headers.append(extra)
    return ("\r\n".join(headers) + "\r\n\r\n" + body + "\r\n").encode()


@pytest.fixture
def mailbox(db, first_level_team):
    return Mailbox.objects.create(name="Helpdesk", address="helpdesk@desk.example", protocol="none")


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel(NOW, tick=False):
        yield


def receive(raw: bytes, mailbox: Mailbox) -> InboundMessage:
    return ingest.receive(raw, mailbox=mailbox, source="smtp")


def test_new_sender_opens_a_ticket_with_a_new_contact_of_the_domains_organization(mailbox, customer_org):
    message = receive(eml(sender="Karel Novák <Karel@Alfa.cz>"), mailbox)

    assert message.status == InboundStatus.PROCESSED
    assert message.outcome == "new_ticket"
    ticket = message.ticket
    assert ticket.subject == "Printer is broken"
    assert ticket.channel == Channel.EMAIL
    assert ticket.description.strip() == "It prints blank pages."
    contact = ticket.requester
    assert (contact.name, contact.email, contact.organization) == ("Karel Novák", "karel@alfa.cz", customer_org)
    assert ticket.organization == customer_org
    assert ThreadMessageId.objects.get(message_id="<m1@alfa.cz>").ticket == ticket


def test_unknown_domain_makes_a_contact_without_organization(mailbox, customer_org):
    message = receive(eml(sender="someone@gmail.example"), mailbox)

    assert message.ticket.requester.organization is None
    assert message.ticket.organization is None


def test_known_contact_is_found_by_another_address_and_cc_contacts_are_added(mailbox, customer_user, customer_manager):
    customer_user.other_emails = ["jana.private@home.example"]
    customer_user.save()

    message = receive(eml(sender="jana.private@home.example", cc="petr@alfa.cz, stranger@else.example"), mailbox)

    assert message.ticket.requester == customer_user
    assert list(message.ticket.cc.all()) == [customer_manager]
    assert not Contact.objects.filter(email="stranger@else.example").exists()


def test_ticket_team_is_the_mailboxs(mailbox, servers_team, customer_user):
    mailbox.team = servers_team
    mailbox.save()

    assert receive(eml(), mailbox).ticket.team == servers_team


@pytest.mark.parametrize(
    "headers",
    [
        {"in_reply_to": "<m1@alfa.cz>"},
        {"references": "<unrelated@x> <m1@alfa.cz>"},
        {"subject": "RE: Printer is broken [#TAG]"},
    ],
    ids=["in-reply-to", "references-only", "subject-tag-only"],
)
def test_reply_lands_on_the_same_ticket(mailbox, customer_user, headers):
    first = receive(eml(), mailbox)
    headers = dict(headers)
    if "subject" in headers:
        headers["subject"] = headers["subject"].replace("TAG", first.ticket.number)

    reply = receive(eml(message_id="<m2@alfa.cz>", body="Still broken.", **headers), mailbox)

    assert reply.outcome == "article"
    assert reply.ticket == first.ticket
    article = reply.article
    assert (article.kind, article.channel, article.author_contact) == (ArticleKind.REPLY, Channel.EMAIL, customer_user)
    assert article.body.strip() == "Still broken."
    assert Ticket.objects.count() == 1
    assert ThreadMessageId.objects.get(message_id="<m2@alfa.cz>").article == article


def test_reply_to_a_message_we_sent_threads_to_its_ticket(mailbox, ticket, customer_user):
    ThreadMessageId.objects.create(message_id="<out-1@desk.example>", ticket=ticket, outbound=True)

    reply = receive(eml(message_id="<r@alfa.cz>", in_reply_to="<out-1@desk.example>"), mailbox)

    assert reply.ticket == ticket
    assert reply.outcome == "article"


def test_reply_from_a_stranger_is_a_note_flagged_for_review(mailbox, ticket):
    reply = receive(eml(sender="mallory@evil.example", subject=f"Re: [#{ticket.number}]"), mailbox)

    assert reply.outcome == "review_note"
    assert reply.ticket == ticket
    article = reply.article
    assert article.kind == ArticleKind.NOTE
    assert article.needs_review
    assert not ticket.articles.filter(kind=ArticleKind.REPLY).exists()
    assert "mallory@evil.example" in article.body


def test_reply_from_a_stranger_opens_a_linked_ticket_by_mailbox_policy(mailbox, ticket):
    mailbox.stranger_policy = StrangerPolicy.NEW_TICKET
    mailbox.save()

    reply = receive(eml(sender="mallory@evil.example", subject=f"Re: [#{ticket.number}]"), mailbox)

    assert reply.ticket != ticket
    assert ticket in reply.ticket.related.all()
    assert not ticket.articles.exists()


def test_reply_from_a_colleague_of_the_organization_is_public(mailbox, ticket, customer_manager):
    reply = receive(eml(sender="petr@alfa.cz", subject=f"Re: [#{ticket.number}]"), mailbox)

    assert reply.outcome == "article"
    assert reply.article.author_contact == customer_manager


def close(ticket: Ticket, agent) -> Ticket:
    actions.resolve(ticket, actor=agent)
    return actions.transition(ticket, actor=agent, to_state=State.CLOSED)


def test_reply_to_a_ticket_closed_within_the_window_reopens_it(mailbox, ticket, l1_agent, settings):
    close(ticket, l1_agent)

    with time_machine.travel(NOW + dt.timedelta(days=settings.REOPEN_WINDOW_DAYS - 1), tick=False):
        reply = receive(eml(subject=f"Re: [#{ticket.number}]"), mailbox)

    ticket.refresh_from_db()
    assert reply.ticket == ticket
    assert ticket.state == State.IN_PROGRESS
    assert reply.article.ticket == ticket


def test_reply_to_a_ticket_closed_long_ago_opens_a_new_linked_ticket(mailbox, ticket, l1_agent, settings):
    close(ticket, l1_agent)

    with time_machine.travel(NOW + dt.timedelta(days=settings.REOPEN_WINDOW_DAYS + 1), tick=False):
        reply = receive(eml(subject=f"Re: [#{ticket.number}]"), mailbox)

    ticket.refresh_from_db()
    assert ticket.state == State.CLOSED
    assert reply.outcome == "new_linked"
    assert reply.ticket != ticket
    assert ticket in reply.ticket.related.all()


@pytest.fixture
def automatic(monkeypatch):
    """The parser's verdict as its contract gives it (mail/parsing.py decides; here we test what follows)."""

    def _parse(raw: bytes):
        parsed = parse(raw)
        if b"Auto-Submitted: auto-replied" in raw:
            return dataclasses.replace(parsed, automatic_reason="Auto-Submitted: auto-replied")
        return parsed

    monkeypatch.setattr(ingest, "parse", _parse)


def test_auto_reply_on_a_thread_is_a_note_and_sends_nothing(mailbox, ticket, automatic):
    ThreadMessageId.objects.create(message_id="<out-1@desk.example>", ticket=ticket, outbound=True)
    outbox_before = OutboundMessage.objects.count()

    message = receive(
        eml(subject="Out of office", in_reply_to="<out-1@desk.example>", extra="Auto-Submitted: auto-replied"), mailbox
    )

    assert message.outcome == "note"
    assert message.article.kind == ArticleKind.NOTE
    assert not message.article.needs_review
    assert OutboundMessage.objects.count() == outbox_before


def test_auto_reply_without_a_thread_creates_nothing_and_is_kept_as_ignored(mailbox, customer_org, automatic):
    message = receive(eml(subject="Out of office", extra="Auto-Submitted: auto-replied"), mailbox)

    assert (message.status, message.outcome) == (InboundStatus.PROCESSED, "ignored")
    assert "auto-replied" in message.reason
    assert not Ticket.objects.exists()
    assert not Contact.objects.filter(email="jana@alfa.cz").exists()
    assert OutboundMessage.objects.count() == 0


def test_bounce_is_a_note_on_the_ticket_and_marks_the_address_failing(mailbox, ticket, monkeypatch):
    outbound = OutboundMessage.objects.create(
        ticket=ticket,
        from_email="helpdesk@desk.example",
        to=["jana@alfa.cz"],
        subject="Re: printer",
        raw=b"x",
        message_id="<out-9@desk.example>",
        status=OutboundStatus.SENT,
    )
    FailingAddress.objects.create(address="jana@alfa.cz", bounces=1)

    def _parse(raw: bytes):
        return dataclasses.replace(
            parse(raw),
            automatic_reason="delivery status notification",
            is_bounce=True,
            bounced_message_id="<out-9@desk.example>",
            bounced_recipients=("jana@alfa.cz",),
        )

    monkeypatch.setattr(ingest, "parse", _parse)
    message = receive(eml(sender="MAILER-DAEMON@mx.alfa.cz", subject="Undelivered Mail"), mailbox)

    assert message.outcome == "bounce"
    assert message.ticket == ticket
    assert message.article.kind == ArticleKind.NOTE
    assert FailingAddress.objects.get(address="jana@alfa.cz").bounces == 2
    outbound.refresh_from_db()
    assert outbound.status == OutboundStatus.FAILED
    assert Ticket.objects.count() == 1


def test_the_same_bytes_twice_make_one_article(mailbox, ticket, customer_user):
    raw = eml(subject=f"Re: [#{ticket.number}]")

    first = receive(raw, mailbox)
    second = receive(raw, mailbox)

    assert first.pk == second.pk
    assert ticket.articles.count() == 1


def test_the_same_message_id_with_other_bytes_is_a_duplicate(mailbox, ticket, customer_user):
    first = receive(eml(subject=f"Re: [#{ticket.number}]"), mailbox)
    second = receive(eml(subject=f"Re: [#{ticket.number}]", extra="X-Resent: yes"), mailbox)

    assert first.pk != second.pk
    assert second.outcome == "duplicate"
    assert (second.ticket, second.article) == (first.ticket, first.article)
    assert ticket.articles.count() == 1


def test_a_processed_message_is_not_processed_again(mailbox, customer_user):
    message = receive(eml(), mailbox)

    ingest.process(message)

    assert Ticket.objects.count() == 1


def test_the_twenty_first_message_of_a_sender_in_the_window_goes_to_the_quarantine(mailbox, customer_user, settings):
    settings.MAIL_SENDER_RATE_LIMIT = "20/10m"
    messages = [receive(eml(message_id=f"<flood-{n}@alfa.cz>", subject=f"n{n}"), mailbox) for n in range(21)]

    assert [m.status for m in messages[:20]] == [InboundStatus.PROCESSED] * 20
    assert (messages[20].status, messages[20].reason) == (InboundStatus.QUARANTINED, "rate limit")
    assert Ticket.objects.count() == 20

    with time_machine.travel(NOW + dt.timedelta(minutes=11), tick=False):
        later = receive(eml(message_id="<later@alfa.cz>"), mailbox)
    assert later.status == InboundStatus.PROCESSED


def test_a_failure_while_processing_quarantines_the_message_and_writes_nothing(mailbox, customer_user, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(actions, "add_article", broken)
    raw = eml(body="With a file", extra="X-Test: 1")
    # An attachment makes the new ticket write an article too: the failure comes after the ticket was created.
    monkeypatch.setattr(ingest, "parse", lambda raw: dataclasses.replace(parse(raw), html="<p>With a file</p>"))

    message = receive(raw, mailbox)

    assert message.status == InboundStatus.QUARANTINED
    assert "database on fire" in message.reason
    assert not Ticket.objects.exists()
    assert not Article.objects.exists()
    assert not ThreadMessageId.objects.exists()


def test_a_message_over_the_size_limit_is_kept_and_quarantined(mailbox, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 200
    raw = eml(body="x" * 500)

    message = receive(raw, mailbox)

    assert (message.status, message.reason) == (InboundStatus.QUARANTINED, "too large")
    assert message.sender == "jana@alfa.cz"
    from servicedesk.tickets.files import blob_path

    assert blob_path(message.raw).read_bytes() == raw
    assert not Ticket.objects.exists()


def test_release_into_a_new_ticket_and_onto_a_chosen_ticket(mailbox, ticket, customer_user, l1_agent, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 200
    big = receive(eml(body="x" * 500), mailbox)
    other = receive(eml(body="y" * 500, message_id="<m9@alfa.cz>"), mailbox)

    ingest.process(big, release=ingest.Release(actor=l1_agent))
    ingest.process(other, release=ingest.Release(actor=l1_agent, ticket=ticket))

    big.refresh_from_db()
    other.refresh_from_db()
    assert (big.status, big.outcome, big.handled_by) == (InboundStatus.RELEASED, "new_ticket", l1_agent)
    assert big.ticket != ticket
    assert (other.status, other.ticket) == (InboundStatus.RELEASED, ticket)
    assert other.article.ticket == ticket


def test_ticket_pages_fold_the_quoted_history_and_flag_notes_for_review(
    client, mailbox, ticket, l1_agent, customer_user, monkeypatch
):
    monkeypatch.setattr(
        ingest,
        "parse",
        lambda raw: dataclasses.replace(parse(raw), quoted="> the old text", html="<p>Fresh <b>news</b></p>"),
    )
    reply = receive(eml(subject=f"Re: [#{ticket.number}]"), mailbox)
    receive(eml(sender="mallory@evil.example", subject=f"Re: [#{ticket.number}]", message_id="<s@evil>"), mailbox)
    assert reply.article.quoted == "> the old text"

    client.force_login(l1_agent)
    desk = client.get(f"/tickets/{ticket.number}/").content.decode()
    assert '<details class="quoted">' in desk and "&gt; the old text" in desk
    assert "<p>Fresh <b>news</b></p>" in desk
    assert "Needs review" in desk

    client.force_login(customer_user.user)
    portal = client.get(f"/portal/tickets/{ticket.number}/").content.decode()
    assert '<details class="quoted">' in portal
    assert "mallory" not in portal


def test_releasing_a_message_without_sender_keeps_it_in_the_quarantine(mailbox, l1_agent):
    message = receive(eml(sender="", message_id="<nosender@x>"), mailbox)
    assert (message.status, message.reason) == (InboundStatus.QUARANTINED, "no sender")

    ingest.process(message, release=ingest.Release(actor=l1_agent))

    message.refresh_from_db()
    assert message.status == InboundStatus.QUARANTINED
    assert "sender" in message.reason
    assert not Ticket.objects.exists()
    assert not Contact.objects.filter(email="").exists()


def test_in_a_batch_a_failing_message_is_quarantined_and_the_others_are_processed(mailbox, monkeypatch, settings):
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"
    real_open_ticket = actions.open_ticket

    def open_ticket(**kwargs):
        if kwargs["subject"] == "Poison":
            raise RuntimeError("database on fire")
        return real_open_ticket(**kwargs)

    monkeypatch.setattr(actions, "open_ticket", open_ticket)
    raws = [
        eml(message_id="<a@alfa.cz>", subject="Printer"),
        eml(message_id="<b@alfa.cz>", subject="Poison", sender="petr@alfa.cz"),
        eml(message_id="<c@alfa.cz>", subject="Scanner"),
    ]

    stored, error = ingest.store_many(raws, mailbox=mailbox, source="imap")
    ingest.process_many(stored)

    assert error is None
    by_id = {m.message_id: m for m in InboundMessage.objects.all()}
    assert by_id["<a@alfa.cz>"].status == by_id["<c@alfa.cz>"].status == InboundStatus.PROCESSED
    assert by_id["<b@alfa.cz>"].status == InboundStatus.QUARANTINED
    assert "database on fire" in by_id["<b@alfa.cz>"].reason
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Printer", "Scanner"]
    # Nothing the failing message began is kept: no contact of its sender, no thread id, no acknowledgement.
    assert not Contact.objects.filter(email="petr@alfa.cz").exists()
    assert not ThreadMessageId.objects.filter(message_id="<b@alfa.cz>").exists()
    assert OutboundMessage.objects.filter(kind="ticket_received").count() == 2
    # Delivered again (the IMAP move failed): stored once, not processed twice.
    again, _error = ingest.store_many(raws, mailbox=mailbox, source="imap")
    ingest.process_many(again)
    assert InboundMessage.objects.count() == 3 and Ticket.objects.count() == 2


def test_a_storing_error_in_a_batch_keeps_the_messages_before_it(mailbox, monkeypatch):
    real_store = ingest.store

    def store(raw, **kwargs):
        if b"Poison" in raw:
            raise OSError("disk full")
        return real_store(raw, **kwargs)

    def store_blobs(contents, **kwargs):
        raise OSError("disk full")

    # The batch at once fails, and then one by one the second message.
    monkeypatch.setattr(ingest, "store_blobs", store_blobs)
    monkeypatch.setattr(ingest, "store", store)
    raws = [
        eml(message_id="<a@alfa.cz>"),
        eml(message_id="<b@alfa.cz>", subject="Poison"),
        eml(message_id="<c@alfa.cz>"),
    ]

    stored, error = ingest.store_many(raws, mailbox=mailbox, source="imap")

    assert [m.message_id for m in stored] == ["<a@alfa.cz>"]
    assert isinstance(error, OSError)
    assert list(InboundMessage.objects.values_list("message_id", flat=True)) == ["<a@alfa.cz>"]


def test_the_acknowledgement_is_written_with_the_ticket_not_after_the_commit(
    mailbox, customer_user, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = receive(eml(sender=f"Jana <{customer_user.email}>", message_id="<vpn@alfa.cz>"), mailbox)

    assert callbacks == []  # nothing left for after the commit: a crash there cannot lose the receipt
    row = OutboundMessage.objects.get(kind="ticket_received", ticket=message.ticket)
    assert row.to == [f"{customer_user.name} <{customer_user.email}>"]
    outbound.compose_pending()  # rendered by the delivery worker just before sending
    row.refresh_from_db()
    text = bytes(row.raw).decode()
    assert "In-Reply-To: <vpn@alfa.cz>" in text and "Reply-To: helpdesk@desk.example" in text


def test_in_a_batch_copies_of_one_mail_make_one_ticket(mailbox):
    first = eml(message_id="<same@alfa.cz>")
    other_bytes = eml(message_id="<same@alfa.cz>", body="It prints blank pages. (sent again)")

    stored, _error = ingest.store_many([first, first, other_bytes], mailbox=mailbox, source="imap")
    ingest.process_many(stored)

    assert len({m.pk for m in stored}) == 2  # the same bytes are one row
    outcomes = sorted(InboundMessage.objects.values_list("outcome", flat=True))
    assert outcomes == ["duplicate", "new_ticket"]
    assert Ticket.objects.count() == 1
    assert set(InboundMessage.objects.values_list("ticket", flat=True)) == {Ticket.objects.get().pk}


def test_when_a_whole_batch_fails_its_messages_are_processed_one_by_one(mailbox, monkeypatch):
    def broken(batch):
        raise RuntimeError("the batch look-up failed")

    monkeypatch.setattr(ingest, "_fresh_message_ids", broken)
    stored, _error = ingest.store_many(
        [eml(message_id="<a@alfa.cz>", subject="Printer"), eml(message_id="<b@alfa.cz>", subject="Scanner")],
        mailbox=mailbox,
        source="imap",
    )

    ingest.process_many(stored)

    assert set(InboundMessage.objects.values_list("status", flat=True)) == {InboundStatus.PROCESSED}
    assert sorted(Ticket.objects.values_list("subject", flat=True)) == ["Printer", "Scanner"]


def test_in_a_batch_a_message_over_the_size_limit_is_kept_and_quarantined(mailbox, settings):
    settings.MAIL_MAX_MESSAGE_BYTES = 400
    small, large = eml(message_id="<s@alfa.cz>"), eml(message_id="<l@alfa.cz>", body="x" * 500)

    stored, _error = ingest.store_many([small, large], mailbox=mailbox, source="imap")
    ingest.process_many(stored)

    kept = InboundMessage.objects.get(message_id="<l@alfa.cz>")
    assert (kept.status, kept.reason) == (InboundStatus.QUARANTINED, ingest.TOO_LARGE)
    assert bytes(ingest.blob_path(kept.raw).read_bytes()) == large
    assert InboundMessage.objects.get(message_id="<s@alfa.cz>").status == InboundStatus.PROCESSED


def test_nul_characters_anywhere_are_dropped_and_the_message_becomes_a_ticket(mailbox):
    raw = eml(subject="Tisk\x00árna", body="Ne\x00tiskne.", message_id="<n\x00ul@alfa.cz>")
    message = receive(raw, mailbox)
    assert message.status == InboundStatus.PROCESSED, message.reason
    assert "\x00" not in message.subject + message.message_id
    assert message.ticket.subject == "Tiskárna" and "\x00" not in message.ticket.description


def test_an_inline_image_shows_where_the_sender_put_it(mailbox, client, l1_agent):
    from pathlib import Path

    raw = (Path(__file__).parent / "eml" / "related_inline_image.eml").read_bytes()
    message = receive(raw, mailbox)
    article = message.ticket.articles.get()
    image = article.attachments.get(blob__content_type="image/png")
    assert "cid:" not in article.body_html
    assert f'src="/attachments/{image.pk}/"' in article.body_html
    client.force_login(l1_agent)
    assert client.get(f"/attachments/{image.pk}/").status_code == 200
