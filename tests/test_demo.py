"""`servicedesk demo`: believable customers, agents and ticket histories, all written through the actions."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone, translation

from servicedesk.accounts.models import Contact, ContactRole, Organization, Team, User
from servicedesk.assets.models import ConfigurationItem, ItemKind
from servicedesk.demo import DEMO_PASSWORD
from servicedesk.demo.loader import load
from servicedesk.demo.people import AGENTS, CUSTOMER_MANAGER, CUSTOMER_USER, ORGANIZATIONS
from servicedesk.tickets.models import (
    Channel,
    EventKind,
    TeamStint,
    Ticket,
    TicketEvent,
    TicketType,
    WorkLogEntry,
)
from servicedesk.tickets.states import State

pytestmark = pytest.mark.django_db

SMALL = 40


def run_demo(*args: str, **options: object) -> str:
    out = io.StringIO()
    with translation.override("en"):
        call_command("demo", *args, stdout=out, stderr=out, **options)
    return out.getvalue()


@pytest.fixture
def small_demo() -> str:
    return run_demo(tickets=SMALL)


def valid_company_id(ico: str) -> bool:
    """The Czech IČO check digit: weights 8..2 over the first seven digits."""
    if len(ico) != 8 or not ico.isdigit():
        return False
    total = sum(int(digit) * weight for digit, weight in zip(ico[:7], range(8, 1, -1), strict=True))
    return (11 - total % 11) % 10 == int(ico[7])


def test_customers_are_czech_companies_with_their_people(small_demo):
    organizations = Organization.objects.annotate(people=Count("contacts"))
    assert organizations.count() == 5
    for organization in organizations:
        assert valid_company_id(organization.company_id), organization.company_id
        assert organization.vat_id == f"CZ{organization.company_id}"
        assert organization.email_domains and organization.phone.startswith("+420 ")
        assert organization.address
        assert 3 <= organization.people <= 6
        contacts = organization.contacts.all()
        assert sum(contact.role == ContactRole.MANAGER for contact in contacts) == 1
        for contact in contacts:
            assert contact.email.endswith("@" + organization.email_domains[0])
            assert contact.phone.startswith("+420 ")
            assert Organization.for_email(contact.email) == organization
    names = list(Contact.objects.values_list("name", flat=True))
    assert sum(any(ch in "áčďéěíňóřšťúůýž" for ch in name.lower()) for name in names) >= len(names) // 2
    languages = list(Contact.objects.values_list("language", flat=True))
    assert languages.count("cs") > languages.count("en") > 0
    assert Contact.objects.filter(user__isnull=False).exists()
    assert Contact.objects.filter(user__isnull=True).exists()


def test_configuration_items_are_private_addresses_only(small_demo):
    kinds = set(ConfigurationItem.objects.values_list("kind", flat=True))
    assert {ItemKind.SERVER, ItemKind.NETWORK, ItemKind.WORKSTATION, ItemKind.PRINTER, ItemKind.APPLICATION} <= kinds
    for organization in Organization.objects.all():
        assert organization.items.filter(kind=ItemKind.SERVER).exists()
    addresses = ConfigurationItem.objects.exclude(ip_address=None).values_list("ip_address", flat=True)
    assert addresses
    assert all(address.startswith(("10.", "192.168.")) for address in addresses)


def test_eight_agents_work_in_the_teams_and_the_admin_exists(small_demo):
    slugs = set(Team.objects.values_list("slug", flat=True))
    assert {"servicedesk", "servers", "network", "workstations", "security", "hardware-repair"} <= slugs
    assert Team.objects.get(is_first_level=True).slug == "servicedesk"
    agents = User.objects.filter(username__in=[agent.username for agent in AGENTS])
    assert agents.count() == 8
    team_counts = [agent.teams.count() for agent in agents]
    assert all(agent.is_staff and not agent.is_superuser for agent in agents)
    assert min(team_counts) >= 1 and max(team_counts) >= 2  # some work in several teams
    for team in Team.objects.all():
        assert team.members.exists(), team
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff


def test_printed_logins_work_and_pass_the_password_validators(small_demo):
    for username in ["admin", "tereza", CUSTOMER_USER[1], CUSTOMER_MANAGER[1]]:
        user = authenticate(username=username, password=DEMO_PASSWORD)
        assert user is not None, username
        validate_password(DEMO_PASSWORD, user)
    assert Contact.objects.get(email=CUSTOMER_MANAGER[1]).role == ContactRole.MANAGER
    assert Contact.objects.get(email=CUSTOMER_USER[1]).role == ContactRole.USER
    assert "admin / servicedesk-demo" in small_demo
    assert "tereza / servicedesk-demo" in small_demo
    assert "demo passwords" in small_demo


def test_tickets_cover_every_state_and_channel(small_demo):
    planned = Ticket.objects.filter(merged_into__isnull=True)
    assert planned.count() == SMALL
    assert set(Ticket.objects.values_list("state", flat=True)) == set(State.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) == set(Channel.values)
    assert Ticket.objects.values("type").distinct().count() >= 3
    assert Ticket.objects.values("category").distinct().count() >= 5
    assert not Ticket.objects.filter(organization__isnull=True).exists()
    assert not Ticket.objects.filter(channel=Channel.MONITORING, requester__isnull=False).exists()
    assert "tickets 40/40" in small_demo


def test_every_ticket_has_a_consistent_history_in_the_past(small_demo):
    now = timezone.now()
    for ticket in Ticket.objects.prefetch_related("events"):
        events = list(ticket.events.all())
        assert events[0].kind == EventKind.CREATED
        assert events[0].created_at == ticket.created_at
        assert all(ticket.created_at <= event.created_at <= now for event in events)
        moves = [event for event in events if event.field == "state"]
        expected = moves[-1].new_value if moves else State.NEW
        assert ticket.state == expected, ticket.number
        if ticket.state in {State.RESOLVED, State.CLOSED} and ticket.merged_into_id is None:
            assert ticket.resolved_at is not None
    assert TicketEvent.objects.filter(created_at__gt=now).count() == 0


def test_numbers_follow_the_order_tickets_were_opened_in(small_demo):
    # Duplicates arrive while the original is being worked on, so only the planned tickets are in order.
    tickets = list(Ticket.objects.filter(merged_into__isnull=True).order_by("number"))
    assert [t.created_at for t in tickets] == sorted(t.created_at for t in tickets)


def test_escalations_leave_team_stints_with_reasons(small_demo):
    escalated = Ticket.objects.filter(events__kind=EventKind.ESCALATED).distinct()
    assert escalated.exists()
    for ticket in escalated:
        stints = list(ticket.team_stints.all())
        assert len(stints) >= 2
        assert stints[0].team.is_first_level
        assert all(stint.reason for stint in stints[1:])
        assert all(stint.ended_at is not None for stint in stints[:-1])
        assert stints[-1].ended_at is None and stints[-1].team == ticket.team
    assert TeamStint.objects.exclude(team__slug="servicedesk").exists()


def test_work_is_logged_on_the_day_it_was_done(small_demo):
    entries = WorkLogEntry.objects.select_related("agent")
    assert entries.exists()
    for entry in entries:
        assert entry.agent.is_staff
        assert entry.date == timezone.localdate(entry.created_at)
        assert entry.created_at < timezone.now()


def test_the_desk_talks_merges_links_and_reopens(small_demo):
    kinds = set(TicketEvent.objects.values_list("kind", flat=True))
    assert {
        EventKind.ASSIGNED,
        EventKind.ESCALATED,
        EventKind.REPLY_ADDED,
        EventKind.NOTE_ADDED,
        EventKind.WORK_LOGGED,
        EventKind.MERGED,
        EventKind.LINKED,
        EventKind.REOPENED,
    } <= kinds
    merged = Ticket.objects.filter(merged_into__isnull=False)
    assert merged.exists()
    assert all(ticket.state == State.CLOSED for ticket in merged)
    # Customers write too, both through the portal and by e-mail.
    assert TicketEvent.objects.filter(kind=EventKind.REPLY_ADDED, actor__is_staff=False).exists()
    assert TicketEvent.objects.filter(kind=EventKind.REPLY_ADDED, actor=None).exclude(actor_label="").exists()


def test_running_again_adds_nothing(small_demo):
    counts = (Organization.objects.count(), Contact.objects.count(), User.objects.count(), Ticket.objects.count())
    events = TicketEvent.objects.count()
    output = run_demo(tickets=SMALL)
    assert "already present" in output
    assert (Organization.objects.count(), Contact.objects.count(), User.objects.count(), Ticket.objects.count()) == (
        counts
    )
    assert TicketEvent.objects.count() == events


def test_print_logins_only_prints():
    output = run_demo("--print-logins")
    assert "admin / servicedesk-demo" in output
    assert f"{CUSTOMER_MANAGER[1]} / servicedesk-demo" in output
    assert f"{CUSTOMER_USER[1]} / servicedesk-demo" in output
    assert all(f"{agent.username} / servicedesk-demo" in output for agent in AGENTS)
    assert not Organization.objects.exists()
    assert not Ticket.objects.exists()


def test_an_existing_admin_keeps_its_password():
    User.objects.create_superuser("admin", "admin@example.com", "an-own-secret-passphrase")
    output = run_demo(tickets=10)
    assert authenticate(username="admin", password="an-own-secret-passphrase") is not None
    assert "admin / servicedesk-demo" not in output
    assert Organization.objects.filter(name=ORGANIZATIONS[0].name).exists()


def test_the_same_seed_gives_the_same_demo():
    def snapshot() -> list[tuple[str, str, str, str]]:
        return list(Ticket.objects.order_by("number").values_list("subject", "state", "channel", "organization__name"))

    with transaction.atomic():
        load(tickets=25, seed=7)
        first = snapshot()
        transaction.set_rollback(True)
    load(tickets=25, seed=7)
    assert snapshot() == first


def test_the_full_demo_is_varied():
    run_demo()
    assert Ticket.objects.filter(merged_into__isnull=True).count() == 300
    assert set(Ticket.objects.values_list("type", flat=True)) == set(TicketType.values)
    assert Ticket.objects.values("category").distinct().count() >= 10
    assert Ticket.objects.filter(merged_into__isnull=False).count() >= 3
    oldest = Ticket.objects.order_by("created_at").first()
    assert oldest is not None
    assert 60 <= (timezone.now() - oldest.created_at).days <= 90


def test_tickets_are_measured_by_the_demo_service_levels(small_demo):
    from servicedesk.notifications.models import Notification
    from servicedesk.sla.models import Contract, SlaPlan

    assert SlaPlan.objects.get(is_default=True).current_version is not None
    assert set(SlaPlan.objects.values_list("name", flat=True)) >= {"Standard", "Premium 24×7"}
    assert Contract.objects.filter(categories__isnull=False, covered_items__availability_target__isnull=False).exists()
    tickets = Ticket.objects.all()
    assert not tickets.filter(reaction_due_at__isnull=True).exists()
    assert not tickets.filter(resolution_due_at__isnull=True).exists()
    assert tickets.filter(contract__isnull=False).exists() and tickets.filter(contract__isnull=True).exists()
    kinds = set(TicketEvent.objects.values_list("kind", flat=True))
    assert {"sla_started", "sla_met", "sla_breached"} <= kinds
    assert tickets.filter(resolution_breached=True).exists()
    # The sweep ran at the end: nothing is left due, and the agents have their bell to look at.
    assert not tickets.filter(sla_next_check_at__lte=timezone.now()).exists()
    assert Notification.objects.filter(recipient__username__in=[agent.username for agent in AGENTS]).exists()
    manager = User.objects.get(username="tereza")
    assert manager.has_perm("sla.manage") and not manager.is_superuser


@pytest.mark.django_db
def test_replayed_history_mails_nobody(settings):
    from servicedesk.mail.models import OutboundMessage
    from servicedesk.notifications.models import Notification

    settings.EMAIL_BACKEND = "servicedesk.mail.backend.OutboxEmailBackend"
    load(tickets=25, seed=3)
    assert OutboundMessage.objects.count() == 0
    assert Notification.objects.exists()  # the bell still shows the sweep's warnings and breaches
    assert not Notification.objects.filter(email_pending=True).exists()
