"""A customer reports a problem on the portal: the form, the "how badly does it hurt" mapping, files, refusals."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from servicedesk.tickets.models import Attachment, Category, Channel, EventKind, Ticket, TicketEvent


@pytest.fixture
def jana(client, customer_user, first_level_team):
    client.force_login(customer_user.user)
    return client


def form(**overrides):
    data = {
        "subject": "Nejde tisknout",
        "description": "Tiskárna hlásí chybu E05.",
        "severity": "limited",
        "type": "incident",
    }
    data.update(overrides)
    return data


def test_the_form_asks_in_plain_words(jana):
    html = jana.get("/portal/tickets/new/").content.decode()
    for answer in ["I cannot work at all", "My work is limited", "It is an inconvenience", "Just a question"]:
        assert answer in html
    assert 'enctype="multipart/form-data"' in html


def test_filing_a_ticket(jana, customer_user, server_item, l1_agent):
    category = Category.objects.create(slug="printing", name_cs="Tisk", name_en="Printing")
    response = jana.post(
        "/portal/tickets/new/",
        form(
            category=category.pk,
            item=server_item.pk,
            attachments=[SimpleUploadedFile("error.png", b"\x89PNG..."), SimpleUploadedFile("log.txt", b"E05")],
        ),
    )
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/portal/tickets/{ticket.number}/"
    assert ticket.channel == Channel.WEB
    assert ticket.requester == customer_user
    assert ticket.organization == customer_user.organization
    assert ticket.created_by == customer_user.user
    assert ticket.category == category
    assert list(ticket.items.all()) == [server_item]
    assert sorted(Attachment.objects.filter(ticket=ticket).values_list("filename", flat=True)) == [
        "error.png",
        "log.txt",
    ]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CREATED).count() == 1
    page = jana.get(response["Location"]).content.decode()
    assert ticket.number in page
    assert "Tiskárna hlásí chybu E05." in page
    assert "error.png" in page
    # the agents see it in the desk like any other
    jana.force_login(l1_agent)
    assert jana.get(f"/tickets/{ticket.number}/").status_code == 200


@pytest.mark.parametrize(
    ("severity", "impact", "urgency", "priority"),
    [
        ("blocked", "high", "high", 1),
        ("limited", "medium", "high", 2),
        ("inconvenience", "medium", "low", 3),
        ("question", "low", "low", 4),
    ],
)
def test_how_badly_it_hurts_sets_impact_urgency_and_priority(jana, severity, impact, urgency, priority):
    jana.post("/portal/tickets/new/", form(severity=severity))
    ticket = Ticket.objects.get()
    assert (ticket.impact, ticket.urgency, ticket.priority) == (impact, urgency, priority)


@pytest.mark.parametrize(
    "overrides",
    [{"subject": ""}, {"description": ""}, {"severity": "apocalypse"}, {"type": "bribe"}, {"category": "9999"}],
)
def test_bad_input_is_refused_and_kept(jana, overrides):
    response = jana.post("/portal/tickets/new/", form(**overrides))
    assert response.status_code == 400
    assert not Ticket.objects.exists()
    html = response.content.decode()
    assert "errorlist" in html
    if overrides.get("subject") != "":
        assert "Nejde tisknout" in html


def test_a_too_large_file_creates_nothing(jana, settings):
    settings.ATTACHMENT_MAX_BYTES = 10
    response = jana.post("/portal/tickets/new/", form(attachments=[SimpleUploadedFile("big.bin", b"x" * 100)]))
    assert response.status_code == 413
    assert "too large" in response.content.decode()
    assert not Ticket.objects.exists()


def test_inactive_items_and_categories_are_not_offered(jana, server_item):
    server_item.active = False
    server_item.save()
    Category.objects.create(slug="old", name_cs="Staré", name_en="Retired", active=False)
    html = jana.get("/portal/tickets/new/").content.decode()
    assert "SRV-DC01" not in html
    assert "Retired" not in html
