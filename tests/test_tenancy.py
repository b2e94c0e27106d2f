"""Tenancy: the one read door, Ticket.objects.visible_to(user), for every persona."""

import pytest

from servicedesk.tickets import actions
from servicedesk.tickets.models import Ticket


@pytest.fixture
def tickets(l1_agent, customer_user, customer_manager, other_customer):
    return {
        "user": actions.open_ticket(actor=l1_agent, subject="user's", requester=customer_user),
        "manager": actions.open_ticket(actor=l1_agent, subject="manager's", requester=customer_manager),
        "other": actions.open_ticket(actor=l1_agent, subject="other org's", requester=other_customer),
        "cc": actions.open_ticket(actor=l1_agent, subject="cc'd", requester=customer_manager, cc=[customer_user]),
    }


def visible(user):
    return set(Ticket.objects.visible_to(user).values_list("subject", flat=True))


def test_agent_sees_everything(tickets, l1_agent):
    assert visible(l1_agent) == {"user's", "manager's", "other org's", "cc'd"}


def test_customer_user_sees_own_and_cc_tickets(tickets, customer_user):
    assert visible(customer_user.user) == {"user's", "cc'd"}


def test_customer_manager_sees_the_organization(tickets, customer_manager):
    assert visible(customer_manager.user) == {"user's", "manager's", "cc'd"}


def test_other_organization_sees_only_its_own(tickets, other_customer):
    assert visible(other_customer.user) == {"other org's"}


def test_anonymous_and_inactive_see_nothing(tickets, customer_manager):
    from django.contrib.auth.models import AnonymousUser

    assert visible(AnonymousUser()) == set()
    customer_manager.user.is_active = False
    customer_manager.user.save()
    assert visible(customer_manager.user) == set()


def test_deactivated_contact_sees_nothing(tickets, customer_manager):
    customer_manager.active = False
    customer_manager.save()
    assert visible(customer_manager.user) == set()


def test_user_without_contact_sees_nothing(tickets, django_user_model):
    stray = django_user_model.objects.create_user(username="stray@alfa.cz", password="x")
    assert visible(stray) == set()
