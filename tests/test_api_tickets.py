"""The ticket resource and its actions, per persona: every write goes through tickets/actions.py."""

from __future__ import annotations

import pytest

from servicedesk.tickets import actions
from servicedesk.tickets.models import Article, ArticleKind, Channel, EventKind, Ticket, TicketEvent, WorkLogEntry
from servicedesk.tickets.states import State
from tests.test_api_support import assert_problem, client_for

pytestmark = pytest.mark.django_db


def url(ticket: Ticket, action: str = "") -> str:
    return f"/api/v1/tickets/{ticket.number}/" + (f"{action}/" if action else "")


# --- List ----------------------------------------------------------------------------------------------------


def test_agent_lists_tickets_newest_first_with_cursor_pages(l1_agent, customer_user):
    for index in range(3):
        actions.open_ticket(actor=l1_agent, subject=f"Ticket {index}", requester=customer_user)
    first = client_for(l1_agent).get("/api/v1/tickets/?page_size=2").json()
    assert [row["subject"] for row in first["results"]] == ["Ticket 2", "Ticket 1"]
    second = client_for(l1_agent).get(first["next"]).json()
    assert [row["subject"] for row in second["results"]] == ["Ticket 0"]
    assert second["next"] is None


def test_list_filters_like_the_desk(l1_agent, resolver, servers_team, customer_user, other_customer):
    printer = actions.open_ticket(actor=l1_agent, subject="Printer jam", requester=customer_user, impact="high")
    mail = actions.open_ticket(actor=l1_agent, subject="Mail down", requester=other_customer, channel=Channel.EMAIL)
    actions.assign(printer, actor=l1_agent, agent=l1_agent)
    actions.escalate(mail, actor=l1_agent, team=servers_team, reason="server", agent=resolver)
    client = client_for(l1_agent)

    def numbers(query: str) -> set[str]:
        response = client.get(f"/api/v1/tickets/?{query}")
        assert response.status_code == 200, response.content
        return {row["number"] for row in response.json()["results"]}

    assert numbers(f"organization={customer_user.organization_id}") == {printer.number}
    assert numbers("channel=email") == {mail.number}
    assert numbers(f"team={servers_team.pk}") == {mail.number}
    assert numbers(f"agent={resolver.pk}") == {mail.number}
    assert numbers("agent=none") == set()
    assert numbers("state=assigned") == {printer.number, mail.number}
    assert numbers("priority=2") == {printer.number}
    assert numbers("type=incident") == {printer.number, mail.number}
    assert numbers("q=printer") == {printer.number}
    assert numbers("q=prin") == {printer.number}


def test_invalid_filter_names_the_field(l1_agent):
    body = assert_problem(client_for(l1_agent).get("/api/v1/tickets/?state=bogus&team=x"), 400, "invalid")
    assert {error["field"] for error in body["errors"]} == {"state", "team"}


@pytest.mark.parametrize("count", [3, 30])
def test_ticket_list_query_count_is_constant(l1_agent, customer_user, count, django_assert_max_num_queries):
    for index in range(count):
        actions.open_ticket(actor=l1_agent, subject=f"T{index}", requester=customer_user)
    client = client_for(l1_agent)
    client.get("/api/v1/tickets/")  # the token's last-used time is written on first use
    with django_assert_max_num_queries(3):  # token, tickets page, nothing per row
        response = client.get("/api/v1/tickets/")
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [3, 30])
def test_customer_ticket_list_query_count_is_constant(l1_agent, customer_user, count, django_assert_max_num_queries):
    for index in range(count):
        actions.open_ticket(actor=l1_agent, subject=f"T{index}", requester=customer_user)
    client = client_for(customer_user.user)
    client.get("/api/v1/tickets/")
    with django_assert_max_num_queries(4):  # token, contact, tickets page
        response = client.get("/api/v1/tickets/")
    assert len(response.json()["results"]) == count


# --- Create, retrieve, update ------------------------------------------------------------------------------


def test_agent_opens_a_ticket_for_a_contact(l1_agent, customer_user, server_item, first_level_team):
    response = client_for(l1_agent).post(
        "/api/v1/tickets/",
        {
            "subject": "Server down",
            "description": "DC01 is not answering.",
            "requester": customer_user.pk,
            "items": [server_item.pk],
            "impact": "high",
            "urgency": "high",
            "channel": "phone",
            "tags": ["vip"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.organization == customer_user.organization
    assert ticket.priority == 1 and ticket.channel == "phone" and ticket.created_by == l1_agent
    assert list(ticket.items.all()) == [server_item]
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.CREATED).count() == 1
    assert response.json()["team"] == first_level_team.pk


def test_customer_opens_a_ticket_as_themselves(customer_user, other_org, server_item, servers_team):
    response = client_for(customer_user.user).post(
        "/api/v1/tickets/",
        {
            "subject": "VPN",
            "organization": other_org.pk,
            "team": servers_team.pk,
            "channel": "phone",
            "items": [server_item.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(number=response.json()["number"])
    assert ticket.requester == customer_user
    assert ticket.organization == customer_user.organization
    assert ticket.channel == Channel.API
    assert ticket.team != servers_team
    assert response.json()["team"] is None and response.json()["assigned_to"] is None


def test_customer_cannot_name_another_organizations_item(customer_user, other_org):
    from servicedesk.assets.models import ConfigurationItem

    foreign = ConfigurationItem.objects.create(organization=other_org, name="BETA-FW")
    response = client_for(customer_user.user).post(
        "/api/v1/tickets/", {"subject": "x", "items": [foreign.pk]}, format="json"
    )
    body = assert_problem(response, 400, "invalid")
    assert body["errors"][0]["field"].startswith("items")
    assert not Ticket.objects.exists()


def test_create_without_subject_names_the_field(l1_agent):
    body = assert_problem(client_for(l1_agent).post("/api/v1/tickets/", {"subject": "  "}, format="json"), 400)
    assert body["errors"][0]["field"] == "subject"


def test_agent_changes_fields_through_update_fields(l1_agent, ticket):
    response = client_for(l1_agent).patch(
        url(ticket), {"impact": "high", "urgency": "high", "subject": "New"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["priority"] == 1 and response.json()["subject"] == "New"
    assert TicketEvent.objects.filter(ticket=ticket, kind=EventKind.PRIORITY_CHANGED).exists()


def test_customer_cannot_change_fields(customer_user, ticket):
    assert_problem(client_for(customer_user.user).patch(url(ticket), {"subject": "Mine"}, format="json"), 403)
    ticket.refresh_from_db()
    assert ticket.subject != "Mine"


def test_ticket_by_id_is_not_an_address(l1_agent, ticket):
    assert client_for(l1_agent).get(f"/api/v1/tickets/{ticket.pk}/").status_code == 404


# --- Actions ------------------------------------------------------------------------------------------------


def test_assign_escalate_transition(l1_agent, resolver, servers_team, ticket):
    client = client_for(l1_agent)
    response = client.post(url(ticket, "assign"), {"agent": l1_agent.pk}, format="json")
    assert response.json()["state"] == "assigned" and response.json()["assigned_to"] == l1_agent.pk
    response = client.post(
        url(ticket, "escalate"), {"team": servers_team.pk, "reason": "disk", "agent": resolver.pk}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["team"] == servers_team.pk and response.json()["assigned_to"] == resolver.pk
    response = client.post(url(ticket, "transition"), {"state": "in_progress"}, format="json")
    assert response.json()["state"] == "in_progress"


def test_assigning_a_customer_is_a_validation_error(l1_agent, ticket, customer_user):
    assert_problem(
        client_for(l1_agent).post(url(ticket, "assign"), {"agent": customer_user.user.pk}, format="json"), 400
    )


def test_illegal_transition_is_409(l1_agent, ticket):
    body = assert_problem(
        client_for(l1_agent).post(url(ticket, "transition"), {"state": "closed"}, format="json"),
        409,
        "illegal_transition",
    )
    assert body["detail"]


def test_action_error_is_422(l1_agent, ticket, first_level_team):
    response = client_for(l1_agent).post(
        url(ticket, "escalate"), {"team": first_level_team.pk, "reason": "x"}, format="json"
    )
    assert_problem(response, 422, "action_refused")


def test_reply_note_worklog(l1_agent, ticket):
    client = client_for(l1_agent)
    reply = client.post(url(ticket, "reply"), {"body": "We are on it."}, format="json")
    assert reply.status_code == 201 and reply.json()["kind"] == "reply"
    note = client.post(url(ticket, "note"), {"body": "Toner?"}, format="json")
    assert note.status_code == 201 and note.json()["kind"] == "note"
    work = client.post(url(ticket, "worklog"), {"minutes": 15, "kind": "phone"}, format="json")
    assert work.status_code == 201 and work.json()["minutes"] == 15
    assert WorkLogEntry.objects.get(ticket=ticket).agent == l1_agent
    assert_problem(client.post(url(ticket, "worklog"), {"minutes": 0}, format="json"), 400)


def test_customer_reply_brings_a_waiting_ticket_back(l1_agent, customer_user, ticket):
    actions.assign(ticket, actor=l1_agent, agent=l1_agent)
    actions.transition(ticket, actor=l1_agent, to_state=State.WAITING_CUSTOMER)
    response = client_for(customer_user.user).post(url(ticket, "reply"), {"body": "Here it is."}, format="json")
    assert response.status_code == 201, response.content
    article = Article.objects.get(pk=response.json()["id"])
    assert article.author_contact == customer_user and article.channel == Channel.API
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS


def test_customer_confirms_a_resolution(l1_agent, customer_user, ticket):
    actions.resolve(ticket, actor=l1_agent)
    response = client_for(customer_user.user).post(url(ticket, "transition"), {"state": "closed"}, format="json")
    assert response.status_code == 200 and response.json()["state"] == "closed"


def test_customer_cannot_resolve(customer_user, l1_agent, ticket):
    actions.assign(ticket, actor=l1_agent, agent=l1_agent)
    response = client_for(customer_user.user).post(url(ticket, "transition"), {"state": "resolved"}, format="json")
    assert_problem(response, 422, "action_refused")


@pytest.mark.parametrize("action", ["note", "worklog", "assign", "escalate", "merge", "link"])
def test_agent_only_actions_refuse_customers(customer_user, ticket, action):
    response = client_for(customer_user.user).post(url(ticket, action), {"body": "x", "minutes": 5}, format="json")
    assert_problem(response, 403, "permission_denied")
    assert not Article.objects.filter(kind=ArticleKind.NOTE).exists()


def test_merge_and_link(l1_agent, customer_user, ticket):
    other = actions.open_ticket(actor=l1_agent, subject="Duplicate", requester=customer_user)
    third = actions.open_ticket(actor=l1_agent, subject="Related", requester=customer_user)
    client = client_for(l1_agent)
    response = client.post(url(ticket, "link"), {"other": third.number, "relation": "related"}, format="json")
    assert response.status_code == 200, response.content
    assert third in ticket.related.all()
    response = client.post(url(other, "merge"), {"into": ticket.number}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["merged_into"] == ticket.pk and response.json()["state"] == "closed"
    assert_problem(client.post(url(third, "merge"), {"into": "2026-999999"}, format="json"), 404)


# --- What is recorded ---------------------------------------------------------------------------------------


def test_customer_sees_public_articles_and_events_only(l1_agent, customer_user, ticket):
    actions.add_article(ticket, actor=l1_agent, body="Secret internal note", kind=ArticleKind.NOTE)
    actions.add_article(ticket, actor=l1_agent, body="Public answer", kind=ArticleKind.REPLY)
    customer, agent = client_for(customer_user.user), client_for(l1_agent)
    bodies = [row["body"] for row in customer.get(url(ticket, "articles")).json()["results"]]
    assert bodies == ["Public answer"]
    assert len(agent.get(url(ticket, "articles")).json()["results"]) == 2
    kinds = {row["kind"] for row in customer.get(url(ticket, "events")).json()["results"]}
    assert EventKind.NOTE_ADDED not in kinds and EventKind.CREATED in kinds
    assert EventKind.NOTE_ADDED in {row["kind"] for row in agent.get(url(ticket, "events")).json()["results"]}


def test_attachment_upload_and_download(l1_agent, customer_user, ticket):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = client_for(customer_user.user)
    upload = SimpleUploadedFile("log.txt", b"error 42", content_type="text/plain")
    response = client.post(url(ticket, "attachments"), {"file": upload}, format="multipart")
    assert response.status_code == 201, response.content
    attachment = response.json()
    assert attachment["filename"] == "log.txt" and attachment["size"] == 8
    download = client.get(attachment["download_url"])
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"error 42"
    listed = client.get(url(ticket, "attachments")).json()["results"]
    assert [row["id"] for row in listed] == [attachment["id"]]


def test_attachments_of_internal_notes_stay_internal(l1_agent, customer_user, ticket):
    from servicedesk.tickets.files import UploadedFile

    note = actions.add_article(
        ticket, actor=l1_agent, body="n", kind=ArticleKind.NOTE, files=[UploadedFile("pw.txt", b"secret")]
    )
    attachment = note.attachments.get()
    customer = client_for(customer_user.user)
    assert customer.get(url(ticket, "attachments")).json()["results"] == []
    assert_problem(customer.get(f"/api/v1/attachments/{attachment.pk}/"), 404)
    assert client_for(l1_agent).get(f"/api/v1/attachments/{attachment.pk}/").status_code == 200


def test_too_large_attachment_is_413(l1_agent, ticket, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.ATTACHMENT_MAX_BYTES = 4
    upload = SimpleUploadedFile("big.bin", b"12345678")
    response = client_for(l1_agent).post(url(ticket, "attachments"), {"file": upload}, format="multipart")
    assert_problem(response, 413, "attachment_too_large")
    assert not ticket.attachments.exists()
