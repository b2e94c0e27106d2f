"""The admin: every model of accounts, assets and tickets is there for a superuser, and history stays untouchable."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

from servicedesk.tickets import actions
from servicedesk.tickets.models import Ticket, TicketEvent, WorkKind
from servicedesk.tickets.states import State

ADMINISTERED_APPS = ("accounts", "assets", "tickets")
MODELS = [model for label in ADMINISTERED_APPS for model in apps.get_app_config(label).get_models()]


def changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def superuser_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def history(l1_agent, customer_user, server_item, servers_team):
    """A ticket that has been through a bit of everything, so every changelist has rows to show."""
    ticket = actions.open_ticket(
        actor=l1_agent, subject="Disk full", requester=customer_user, items=[server_item], tags=["disk"]
    )
    actions.add_article(ticket, actor=l1_agent, body="Looking into it.")
    actions.log_work(ticket, actor=l1_agent, minutes=15, kind=WorkKind.REMOTE)
    actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Needs a server admin")
    return ticket


def test_every_model_is_registered():
    missing = [model.__name__ for model in MODELS if not admin.site.is_registered(model)]
    assert missing == []


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_changelist_loads_for_a_superuser(superuser_client, history, model):
    response = superuser_client.get(changelist(model))
    assert response.status_code == 200


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_changelist_searches(superuser_client, history, model):
    if not admin.site.get_model_admin(model).search_fields:
        pytest.skip("no search box")
    assert superuser_client.get(changelist(model), {"q": "disk"}).status_code == 200


def test_ticket_change_page_loads_with_number_and_state_read_only(superuser_client, history):
    url = reverse("admin:tickets_ticket_change", args=[history.pk])
    response = superuser_client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="subject"' in html
    assert 'name="number"' not in html and 'name="state"' not in html
    assert "written only by the desk" in html


def test_an_admin_post_cannot_change_a_tickets_number_or_state(superuser_client, history):
    url = reverse("admin:tickets_ticket_change", args=[history.pk])
    form = superuser_client.get(url).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update(
        subject="Disk full on DC01",
        number="2000-000001",
        state=State.CLOSED,
        cc=[],
        items=",".join(str(item.pk) for item in history.items.all()),
        related="",
        tags=[tag.pk for tag in history.tags.all()],
        organization=history.organization_id,
        requester=history.requester_id,
        parent="",
    )
    response = superuser_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    history.refresh_from_db()
    assert history.subject == "Disk full on DC01"
    assert history.number != "2000-000001"
    assert history.state == State.NEW


def test_tickets_are_not_added_in_the_admin(superuser_client, history):
    assert superuser_client.get(reverse("admin:tickets_ticket_add")).status_code == 403


def test_ticket_events_are_read_only(superuser_client, history):
    event = TicketEvent.objects.filter(ticket=history).first()
    assert superuser_client.get(reverse("admin:tickets_ticketevent_add")).status_code == 403
    change = superuser_client.get(reverse("admin:tickets_ticketevent_change", args=[event.pk]))
    assert change.status_code == 200  # viewing is allowed
    assert 'name="note"' not in change.content.decode()
    delete = superuser_client.post(reverse("admin:tickets_ticketevent_delete", args=[event.pk]), {"post": "yes"})
    assert delete.status_code == 403
    assert TicketEvent.objects.filter(pk=event.pk).exists()
    model_admin = admin.site.get_model_admin(TicketEvent)
    request = change.wsgi_request
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, event)
    assert not model_admin.has_delete_permission(request, event)


def test_agents_without_admin_rights_are_kept_out(client, l1_agent):
    client.force_login(l1_agent)
    response = client.get(changelist(Ticket))
    assert response.status_code == 403
