"""Personas and shared fixtures. Tests read like the product's promises: who does what, and what they see."""

from __future__ import annotations

import os

import pytest

from servicedesk.accounts.models import Contact, ContactRole, Organization, Team, User
from servicedesk.assets.models import ConfigurationItem

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API beside the live server

PASSWORD = "correct-horse-battery-staple"


def pytest_configure(config):
    from django.conf import settings

    # Real hashing costs ~0.3 s a user; the tests are about the desk, not about PBKDF2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # A test's subscriptions vanish with its transaction; a cached list would outlive them.
    settings.WEBHOOK_SUBSCRIPTION_CACHE_SECONDS = 0
    settings.TEAM_CACHE_SECONDS = 0


@pytest.fixture(autouse=True)
def _forget_remembered_rows():
    """Per-process memos of rows must not outlive the test transaction that made the rows."""
    from servicedesk.sla import config as sla_config

    sla_config.forget()  # also before: a test may start with another test's snapshot in this process
    yield
    from servicedesk.accounts.models import _first_level_memo
    from servicedesk.sla import config as sla_config
    from servicedesk.webhooks.outbox import _cache

    _first_level_memo.forget()
    _cache.forget()
    sla_config.forget()
    sla_config._definitions.clear()
    from servicedesk.mail import outbound

    outbound.forget_remembered()


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """Every test gets its own attachment folder."""
    settings.ATTACHMENT_DIR = tmp_path / "attachments"


@pytest.fixture
def first_level_team(db) -> Team:
    team, _ = Team.objects.get_or_create(slug="servicedesk", defaults={"name": "Servicedesk", "is_first_level": True})
    return team


@pytest.fixture
def servers_team(db) -> Team:
    return Team.objects.get_or_create(slug="servers", defaults={"name": "Servers"})[0]


@pytest.fixture
def network_team(db) -> Team:
    return Team.objects.get_or_create(slug="network", defaults={"name": "Network"})[0]


def make_agent(username: str, first: str, last: str, *teams: Team, superuser: bool = False) -> User:
    user = User.objects.create_user(
        username=username,
        email=f"{username}@desk.example",
        password=PASSWORD,
        first_name=first,
        last_name=last,
        is_staff=True,
        is_superuser=superuser,
        language="en",
    )
    for team in teams:
        team.members.add(user)
    return user


@pytest.fixture
def l1_agent(first_level_team) -> User:
    """A first-level agent of the Servicedesk team."""
    return make_agent("lucie", "Lucie", "Dvořáková", first_level_team)


@pytest.fixture
def resolver(servers_team) -> User:
    """An agent of the Servers resolver team."""
    return make_agent("radek", "Radek", "Novák", servers_team)


@pytest.fixture
def admin_user(first_level_team) -> User:
    return make_agent("admin", "Ada", "Admin", first_level_team, superuser=True)


@pytest.fixture
def customer_org(db) -> Organization:
    return Organization.objects.create(name="Alfa Strojírny s.r.o.", company_id="12345678", email_domains=["alfa.cz"])


@pytest.fixture
def other_org(db) -> Organization:
    return Organization.objects.create(name="Beta Logistika a.s.", email_domains=["beta.cz"])


def make_contact(org: Organization, name: str, email: str, role: str = ContactRole.USER, login: bool = True) -> Contact:
    user = None
    if login:
        user = User.objects.create_user(username=email, email=email, password=PASSWORD, language="en")
    return Contact.objects.create(
        organization=org,
        name=name,
        email=email,
        role=role,
        user=user,
        phone="+420 601 234 567",
        language="en",
    )


@pytest.fixture
def customer_user(customer_org) -> Contact:
    """A customer user: sees the tickets they asked for."""
    return make_contact(customer_org, "Jana Černá", "jana@alfa.cz")


@pytest.fixture
def customer_manager(customer_org) -> Contact:
    """A customer manager: sees every ticket of the organization."""
    return make_contact(customer_org, "Petr Šťastný", "petr@alfa.cz", role=ContactRole.MANAGER)


@pytest.fixture
def other_customer(other_org) -> Contact:
    """A user of another organization: must never see Alfa's data."""
    return make_contact(other_org, "Eva Malá", "eva@beta.cz", role=ContactRole.MANAGER)


@pytest.fixture
def server_item(customer_org) -> ConfigurationItem:
    return ConfigurationItem.objects.create(
        organization=customer_org,
        name="SRV-DC01",
        kind="server",
        hostname="dc01.alfa.local",
        ip_address="10.0.0.10",
    )


@pytest.fixture
def ticket(l1_agent, customer_user):
    from servicedesk.tickets import actions

    return actions.open_ticket(
        actor=l1_agent,
        subject="Tiskárna v účtárně netiskne",
        description="Printer in accounting prints blank pages.",
        requester=customer_user,
        channel="phone",
    )
