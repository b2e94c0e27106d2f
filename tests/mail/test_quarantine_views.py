"""The quarantine pages: agents only; release and discard are POSTs and are recorded."""

from __future__ import annotations

import pytest
from django.urls import reverse

from servicedesk.mail import ingest
from servicedesk.mail.models import InboundMessage, InboundStatus, Mailbox
from servicedesk.tickets.models import Ticket
from tests.mail.test_ingest import eml


@pytest.fixture
def held(db, settings, first_level_team) -> InboundMessage:
    """A message in the quarantine (over the size limit)."""
    settings.MAIL_MAX_MESSAGE_BYTES = 300
    mailbox = Mailbox.objects.create(name="Helpdesk", address="helpdesk@desk.example", protocol="none")
    message = ingest.receive(
        eml(subject="Scanner <script>alert(1)</script>", body="<b>big</b> " + "x" * 400), mailbox=mailbox, source="smtp"
    )
    assert message.status == InboundStatus.QUARANTINED
    return message


def urls(message: InboundMessage) -> dict[str, str]:
    return {
        "list": reverse("mail:quarantine"),
        "detail": reverse("mail:quarantine_detail", args=[message.pk]),
        "raw": reverse("mail:quarantine_raw", args=[message.pk]),
    }


@pytest.mark.parametrize("persona", ["customer_user", "customer_manager", "other_customer"])
def test_customers_cannot_see_the_quarantine(client, request, held, persona):
    client.force_login(request.getfixturevalue(persona).user)

    for url in urls(held).values():
        assert client.get(url).status_code == 403
    assert client.post(reverse("mail:quarantine_discard", args=[held.pk])).status_code == 403
    assert client.post(reverse("mail:quarantine_release", args=[held.pk])).status_code == 403
    held.refresh_from_db()
    assert held.status == InboundStatus.QUARANTINED


def test_anonymous_is_sent_to_sign_in(client, held):
    for url in urls(held).values():
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"]


@pytest.mark.parametrize("persona", ["l1_agent", "resolver", "admin_user"])
def test_agents_see_the_list_detail_and_raw(client, request, held, persona):
    client.force_login(request.getfixturevalue(persona))

    listing = client.get(urls(held)["list"])
    assert listing.status_code == 200
    assert b"too large" in listing.content
    assert b"jana@alfa.cz" in listing.content
    detail = client.get(urls(held)["detail"])
    assert detail.status_code == 200
    assert b"<script>alert(1)</script>" not in detail.content
    raw = client.get(urls(held)["raw"])
    assert raw.status_code == 200
    assert raw["Content-Type"] == "message/rfc822"
    assert "attachment" in raw["Content-Disposition"]
    assert b"".join(raw) == ingest.blob_path(held.raw).read_bytes()


def test_detail_shows_the_parsed_text_escaped(client, l1_agent, db, first_level_team):
    mailbox = Mailbox.objects.create(name="Helpdesk", address="helpdesk@desk.example", protocol="none")
    message = ingest.receive(eml(body="<img src=x onerror=alert(1)> hello"), mailbox=mailbox, source="smtp")
    InboundMessage.objects.filter(pk=message.pk).update(status=InboundStatus.QUARANTINED, reason="test")
    client.force_login(l1_agent)

    detail = client.get(reverse("mail:quarantine_detail", args=[message.pk]))

    assert b"&lt;img src=x onerror=alert(1)&gt; hello" in detail.content
    assert b"<img src=x" not in detail.content


def test_filters_and_count(client, l1_agent, held, django_assert_max_num_queries):
    ignored = InboundMessage.objects.create(
        raw=held.raw.__class__.objects.create(sha256="a" * 64, size=1, content_type="x", storage_name="n"),
        sender="robot@x.example",
        subject="Out of office",
        status=InboundStatus.PROCESSED,
        outcome="ignored",
        reason="auto-replied",
    )
    client.force_login(l1_agent)

    with django_assert_max_num_queries(8):
        quarantined = client.get(reverse("mail:quarantine")).content.decode()
    assert "Out of office" not in quarantined and "Scanner" in quarantined
    only_ignored = client.get(reverse("mail:quarantine") + "?show=ignored").content.decode()
    assert "Out of office" in only_ignored and "Scanner" not in only_ignored
    everything = client.get(reverse("mail:quarantine") + "?show=all").content.decode()
    assert "Out of office" in everything and "Scanner" in everything
    assert client.get(reverse("mail:quarantine_count")).content == b"1"
    assert ignored.pk


def test_release_into_a_new_ticket_is_recorded(client, l1_agent, held):
    client.force_login(l1_agent)

    response = client.post(reverse("mail:quarantine_release", args=[held.pk]))

    held.refresh_from_db()
    assert (held.status, held.handled_by) == (InboundStatus.RELEASED, l1_agent)
    assert held.ticket is not None
    assert response["Location"] == reverse("desk:ticket", args=[held.ticket.number])


def test_release_onto_a_chosen_ticket(client, l1_agent, held, ticket):
    client.force_login(l1_agent)

    client.post(reverse("mail:quarantine_release", args=[held.pk]), {"ticket": f"#{ticket.number}"})

    held.refresh_from_db()
    assert (held.status, held.ticket) == (InboundStatus.RELEASED, ticket)
    assert ticket.articles.get() == held.article


def test_release_onto_an_unknown_ticket_changes_nothing(client, l1_agent, held):
    client.force_login(l1_agent)

    client.post(reverse("mail:quarantine_release", args=[held.pk]), {"ticket": "1999-000001"})

    held.refresh_from_db()
    assert held.status == InboundStatus.QUARANTINED
    assert not Ticket.objects.exists()


def test_discard_is_recorded_and_only_by_post(client, l1_agent, held):
    client.force_login(l1_agent)
    assert client.get(reverse("mail:quarantine_discard", args=[held.pk])).status_code == 405

    client.post(reverse("mail:quarantine_discard", args=[held.pk]))

    held.refresh_from_db()
    assert (held.status, held.handled_by) == (InboundStatus.DISCARDED, l1_agent)
    assert held.processed_at is not None
    assert not Ticket.objects.exists()
