"""The demo's people and things: teams, agents, the admin, customer organizations, contacts and their items."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password

from servicedesk.accounts.models import Contact, ContactRole, Organization, Team, User
from servicedesk.assets.models import ConfigurationItem
from servicedesk.demo import DEMO_PASSWORD
from servicedesk.demo.people import (
    ADMIN_USERNAME,
    AGENT_EMAIL_DOMAIN,
    AGENTS,
    CUSTOMER_MANAGER,
    CUSTOMER_USER,
    FIRST_LEVEL,
    ORGANIZATIONS,
    TEAMS,
    DemoOrganization,
)
from servicedesk.tickets.models import Category


@dataclass
class CustomerSide:
    organization: Organization
    contacts: list[Contact]
    items_by_kind: dict[str, list[ConfigurationItem]]


@dataclass
class Directory:
    """What the ticket history needs to pick from, loaded once."""

    teams: dict[str, Team]
    members: dict[str, list[User]]  # team slug -> agents
    customers: list[CustomerSide]
    categories: dict[str, Category]
    admin: User | None = None
    agents: list[User] = field(default_factory=list)


def demo_present() -> bool:
    return Organization.objects.filter(name__in=[org.name for org in ORGANIZATIONS]).exists()


def logins() -> list[tuple[str, str, str]]:
    """(who, login, password) of every demo login worth printing."""
    rows = [("admin", ADMIN_USERNAME, DEMO_PASSWORD)]
    rows += [(f"{agent.first_name} {agent.last_name}", agent.username, DEMO_PASSWORD) for agent in AGENTS]
    rows.append((f"{CUSTOMER_USER[0]} (customer user)", CUSTOMER_USER[1], DEMO_PASSWORD))
    rows.append((f"{CUSTOMER_MANAGER[0]} (customer manager)", CUSTOMER_MANAGER[1], DEMO_PASSWORD))
    return rows


def create_directory() -> Directory:
    # Hashing is deliberately slow (PBKDF2); every demo login shares one password, so hash it once.
    password_hash = make_password(DEMO_PASSWORD)
    teams = _create_teams()
    admin = _create_admin(password_hash)
    members: dict[str, list[User]] = defaultdict(list)
    agents = []
    for demo_agent in AGENTS:
        user = _create_user(
            demo_agent.username,
            password_hash,
            first_name=demo_agent.first_name,
            last_name=demo_agent.last_name,
            email=f"{demo_agent.username}@{AGENT_EMAIL_DOMAIN}",
            is_staff=True,
            language=demo_agent.language,
        )
        agents.append(user)
        for slug in demo_agent.teams:
            teams[slug].members.add(user)
            members[slug].append(user)
    customers = [_create_customer(org, password_hash) for org in ORGANIZATIONS]
    categories = {category.slug: category for category in Category.objects.all()}
    return Directory(
        teams=teams, members=dict(members), customers=customers, categories=categories, admin=admin, agents=agents
    )


def _create_teams() -> dict[str, Team]:
    teams: dict[str, Team] = {}
    for demo_team in TEAMS:
        team, _created = Team.objects.get_or_create(
            slug=demo_team.slug,
            defaults={
                "name": demo_team.name,
                "description": demo_team.description,
                "is_first_level": demo_team.slug == FIRST_LEVEL,
            },
        )
        if not team.description:
            team.description = demo_team.description
            team.save(update_fields=["description"])
        teams[demo_team.slug] = team
    return teams


def _create_admin(password_hash: str) -> User | None:
    """The admin account; one that exists already (createsuperuser) keeps its own password."""
    if User.objects.filter(username=ADMIN_USERNAME).exists():
        return None
    admin = _create_user(
        ADMIN_USERNAME,
        password_hash,
        first_name="Správce",
        last_name="Systému",
        email=f"{ADMIN_USERNAME}@{AGENT_EMAIL_DOMAIN}",
        is_staff=True,
        is_superuser=True,
        language="cs",
    )
    Team.objects.get(slug=FIRST_LEVEL).members.add(admin)
    return admin


def _create_user(username: str, password_hash: str, **fields: object) -> User:
    user, created = User.objects.get_or_create(username=username, defaults=fields)
    if created:
        # Check the shared password against this user's attributes (the similarity validator), then set it.
        validate_password(DEMO_PASSWORD, user)
        user.password = password_hash
        user.save(update_fields=["password"])
    return user


def _create_customer(demo: DemoOrganization, password_hash: str) -> CustomerSide:
    organization = Organization.objects.create(
        name=demo.name,
        company_id=demo.company_id,
        vat_id=demo.vat_id,
        email_domains=[demo.domain],
        phone=demo.phone,
        address=demo.address,
        notes=demo.notes,
    )
    contacts = []
    for person in demo.contacts:
        email = f"{person.local_part}@{demo.domain}"
        user = None
        if person.login:
            first, _space, last = person.name.rpartition(" ")
            user = _create_user(
                email,
                password_hash,
                email=email,
                first_name=first.split(" ")[-1] if first else "",
                last_name=last,
                language=person.language,
            )
        contacts.append(
            Contact.objects.create(
                organization=organization,
                name=person.name,
                email=email,
                phone=person.phone,
                language=person.language,
                role=ContactRole.MANAGER if person.manager else ContactRole.USER,
                user=user,
            )
        )
    items = ConfigurationItem.objects.bulk_create(
        ConfigurationItem(
            organization=organization,
            name=item.name,
            kind=item.kind,
            hostname=item.hostname,
            ip_address=item.ip_address or None,
            notes=item.notes,
        )
        for item in demo.items
    )
    items_by_kind: dict[str, list[ConfigurationItem]] = defaultdict(list)
    for item in items:
        items_by_kind[item.kind].append(item)
    return CustomerSide(organization, contacts, dict(items_by_kind))
