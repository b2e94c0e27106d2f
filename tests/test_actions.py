"""The action functions: each change is made by one function and recorded as events in the same transaction."""

import datetime as dt

import pytest
import time_machine
from django.db import transaction

from servicedesk.tickets import actions
from servicedesk.tickets.files import UploadedFile
from servicedesk.tickets.models import EventKind, TeamStint, Ticket, TicketEvent, TicketNumberSequence
from servicedesk.tickets.states import IllegalTransition, State


def kinds(ticket):
    return list(ticket.events.values_list("kind", flat=True))


def test_opening_a_ticket_numbers_it_and_records_creation(ticket, first_level_team, customer_org):
    assert ticket.number.endswith("-000001")
    assert ticket.state == State.NEW
    assert ticket.team == first_level_team
    assert ticket.organization == customer_org  # taken from the requester
    assert ticket.priority == 3  # medium × medium
    assert kinds(ticket) == [EventKind.CREATED]
    assert TeamStint.objects.get(ticket=ticket).team == first_level_team


def test_numbers_are_never_reused(l1_agent):
    first = actions.open_ticket(actor=l1_agent, subject="one")
    first.delete()
    second = actions.open_ticket(actor=l1_agent, subject="two")
    assert second.number != first.number
    assert second.number.endswith("-000002")


def test_numbers_restart_each_year(l1_agent):
    with time_machine.travel(dt.datetime(2025, 12, 31, 22, 0, tzinfo=dt.UTC), tick=False):
        old = actions.open_ticket(actor=l1_agent, subject="old year")
    with time_machine.travel(dt.datetime(2025, 12, 31, 23, 30, tzinfo=dt.UTC), tick=False):
        # 00:30 in Prague: the local year decides
        new = actions.open_ticket(actor=l1_agent, subject="new year")
    assert old.number == "2025-000001"
    assert new.number == "2026-000001"
    assert set(TicketNumberSequence.objects.values_list("year", flat=True)) == {2025, 2026}


def test_priority_comes_from_the_matrix(l1_agent):
    ticket = actions.open_ticket(actor=l1_agent, subject="down", impact="high", urgency="high")
    assert ticket.priority == 1
    actions.update_fields(ticket, actor=l1_agent, impact="low", urgency="low")
    ticket.refresh_from_db()
    assert ticket.priority == 4
    change = ticket.events.get(kind=EventKind.PRIORITY_CHANGED)
    assert (change.old_value, change.new_value) == ("P1", "P4")


def test_empty_subject_is_refused(l1_agent):
    with pytest.raises(actions.ActionError):
        actions.open_ticket(actor=l1_agent, subject="   ")
    assert not Ticket.objects.exists()


def test_assigning_a_new_ticket_makes_it_assigned(ticket, l1_agent, resolver):
    actions.assign(ticket, actor=l1_agent, agent=resolver)
    ticket.refresh_from_db()
    assert ticket.state == State.ASSIGNED
    assert ticket.assigned_to == resolver
    assert ticket.assigned_at is not None
    assert kinds(ticket)[-2:] == [EventKind.ASSIGNED, EventKind.STATE_CHANGED]


def test_customers_cannot_assign(ticket, customer_user, resolver):
    with pytest.raises(actions.ActionError):
        actions.assign(ticket, actor=customer_user.user, agent=resolver)


def test_escalation_records_the_hand_over_and_the_team_stints(ticket, l1_agent, servers_team, resolver):
    actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="Needs the server admins", agent=resolver)
    ticket.refresh_from_db()
    assert ticket.team == servers_team and ticket.assigned_to == resolver
    escalation = ticket.events.get(kind=EventKind.ESCALATED)
    assert escalation.note == "Needs the server admins"
    assert escalation.old_value == "Servicedesk" and escalation.new_value == "Servers"
    stints = list(TeamStint.objects.filter(ticket=ticket).order_by("started_at"))
    assert [s.team.slug for s in stints] == ["servicedesk", "servers"]
    assert stints[0].ended_at == stints[1].started_at
    assert stints[1].ended_at is None

    actions.hand_back(ticket, actor=resolver, reason="Not a server problem")
    ticket.refresh_from_db()
    assert ticket.team.slug == "servicedesk" and ticket.assigned_to is None
    assert TeamStint.objects.filter(ticket=ticket, ended_at__isnull=True).count() == 1


def test_escalation_needs_a_reason(ticket, l1_agent, servers_team):
    with pytest.raises(actions.ActionError):
        actions.escalate(ticket, actor=l1_agent, team=servers_team, reason=" ")
    ticket.refresh_from_db()
    assert ticket.team.slug == "servicedesk"


def test_escalation_to_an_agent_outside_the_team_is_refused(ticket, l1_agent, servers_team):
    with pytest.raises(actions.ActionError):
        actions.escalate(ticket, actor=l1_agent, team=servers_team, reason="x", agent=l1_agent)


def test_resolve_and_reopen(ticket, l1_agent):
    actions.transition(ticket, actor=l1_agent, to_state=State.IN_PROGRESS)
    actions.resolve(ticket, actor=l1_agent, resolution="Replaced the toner.")
    ticket.refresh_from_db()
    assert ticket.state == State.RESOLVED and ticket.resolved_at is not None
    assert ticket.articles.get().body == "Replaced the toner."
    actions.reopen(ticket, actor=l1_agent, reason="Still blank pages")
    ticket.refresh_from_db()
    assert ticket.state == State.IN_PROGRESS and ticket.resolved_at is None
    assert kinds(ticket)[-1] == EventKind.REOPENED


def test_illegal_transition_changes_nothing(ticket, l1_agent):
    with pytest.raises(IllegalTransition):
        actions.transition(ticket, actor=l1_agent, to_state=State.CLOSED)
    ticket.refresh_from_db()
    assert ticket.state == State.NEW
    assert kinds(ticket) == [EventKind.CREATED]


def test_closed_ticket_reopens_only_within_the_window(ticket, l1_agent, settings):
    settings.REOPEN_WINDOW_DAYS = 14
    start = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with time_machine.travel(start, tick=False):
        actions.resolve(ticket, actor=l1_agent)
        actions.transition(ticket, actor=l1_agent, to_state=State.CLOSED)
    with time_machine.travel(start + dt.timedelta(days=13), tick=False):
        actions.reopen(ticket, actor=l1_agent)
        actions.resolve(ticket, actor=l1_agent)
        actions.transition(ticket, actor=l1_agent, to_state=State.CLOSED)
    with time_machine.travel(start + dt.timedelta(days=28), tick=False), pytest.raises(IllegalTransition):
        actions.reopen(ticket, actor=l1_agent)


def test_reply_note_and_attachments(ticket, l1_agent, customer_user):
    reply = actions.add_article(ticket, actor=l1_agent, body="We are on it.", files=[UploadedFile("log.txt", b"hello")])
    note = actions.add_article(ticket, actor=l1_agent, body="Toner is empty", kind="note")
    assert reply.is_public and not note.is_public
    assert reply.attachments.get().blob.content_type == "text/plain"
    with pytest.raises(actions.ActionError):
        actions.add_article(ticket, actor=customer_user.user, body="sneaky", kind="note")
    assert kinds(ticket)[-2:] == [EventKind.REPLY_ADDED, EventKind.NOTE_ADDED]
    public = list(ticket.events.filter(is_public=True).values_list("kind", flat=True))
    assert EventKind.NOTE_ADDED not in public


def test_identical_files_are_stored_once(ticket, l1_agent):
    first = actions.attach(ticket, actor=l1_agent, upload=UploadedFile("a.pdf", b"%PDF-1.4 same"))
    second = actions.attach(ticket, actor=l1_agent, upload=UploadedFile("b.pdf", b"%PDF-1.4 same"))
    assert first.blob_id == second.blob_id
    assert first.blob.content_type == "application/pdf"


def test_work_log(ticket, l1_agent):
    actions.log_work(ticket, actor=l1_agent, minutes=45, kind="onsite", note="Swapped the drum")
    with pytest.raises(actions.ActionError):
        actions.log_work(ticket, actor=l1_agent, minutes=0)
    assert ticket.work_log.get().minutes == 45
    assert kinds(ticket)[-1] == EventKind.WORK_LOGGED


def test_merge_moves_articles_and_closes_the_duplicate(ticket, l1_agent, customer_user):
    duplicate = actions.open_ticket(actor=l1_agent, subject="printer again", requester=customer_user)
    actions.add_article(duplicate, actor=l1_agent, body="Same printer")
    actions.merge(duplicate, actor=l1_agent, into=ticket)
    duplicate.refresh_from_db()
    assert duplicate.state == State.CLOSED and duplicate.merged_into == ticket
    assert ticket.articles.filter(body="Same printer").exists()
    with pytest.raises(actions.ActionError):
        actions.add_article(duplicate, actor=l1_agent, body="late")


def test_merge_across_organizations_is_refused(ticket, l1_agent, other_customer):
    foreign = actions.open_ticket(actor=l1_agent, subject="other", requester=other_customer)
    with pytest.raises(actions.ActionError):
        actions.merge(foreign, actor=l1_agent, into=ticket)


def test_links(ticket, l1_agent):
    other = actions.open_ticket(actor=l1_agent, subject="related")
    actions.link(ticket, actor=l1_agent, other=other)
    assert other in ticket.related.all() and ticket in other.related.all()
    actions.link(ticket, actor=l1_agent, other=other, relation="child")
    other.refresh_from_db()
    assert other.parent == ticket


def test_events_are_immutable(ticket):
    event = ticket.events.get()
    event.note = "rewritten"
    with pytest.raises(Exception, match="never changed"):
        event.save()
    with pytest.raises(Exception, match="never deleted"):
        event.delete()


@pytest.mark.django_db(transaction=True)
def test_a_failed_action_leaves_no_half_written_history(l1_agent, customer_user):
    ticket = actions.open_ticket(actor=l1_agent, subject="x", requester=customer_user)
    before = TicketEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.log_work(ticket, actor=l1_agent, minutes=10)
        raise RuntimeError("database went away")
    assert TicketEvent.objects.count() == before
    assert not ticket.work_log.exists()


def test_the_first_level_team_is_remembered_and_forgotten_on_change(l1_agent, first_level_team, settings):
    from servicedesk.accounts.models import Team

    settings.TEAM_CACHE_SECONDS = 60
    first = actions.open_ticket(actor=l1_agent, subject="one")
    assert first.team_id == first_level_team.pk
    first_level_team.is_first_level = False
    first_level_team.save()  # a change in this process forgets the remembered team
    other = Team.objects.create(name="Night shift", slug="night", is_first_level=True)
    assert actions.open_ticket(actor=l1_agent, subject="two").team_id == other.pk


def test_opening_a_ticket_takes_a_fixed_number_of_queries(
    l1_agent, customer_user, first_level_team, settings, django_assert_max_num_queries
):
    settings.TEAM_CACHE_SECONDS = 60
    actions.open_ticket(actor=l1_agent, subject="warm", requester=customer_user)
    # sequence, ticket, stint, event, search index, savepoint pair; the acknowledgement mail: its thread, a failing
    # address check, its Message-ID (the outbox row itself is the test mail backend's, in memory here)
    with django_assert_max_num_queries(10):
        actions.open_ticket(actor=l1_agent, subject="Printer", requester=customer_user)
