"""The bell: each agent sees, opens and marks only their own notifications; customers never get in."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from servicedesk.notifications.models import Notification, NotificationKind
from servicedesk.notifications.service import notify, unread_count

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 10, 9, 0, tzinfo=dt.UTC)


def breach(agent, ticket, title="P1 deadline passed") -> Notification:
    return notify([agent.pk], kind=NotificationKind.SLA_BREACHED, ticket=ticket, title=title)[0]


def test_the_list_shows_only_my_notifications_newest_first_unread_highlighted(client, l1_agent, resolver, ticket):
    with time_machine.travel(NOW, tick=False):
        older = breach(l1_agent, ticket, "older warning")
    with time_machine.travel(NOW + dt.timedelta(hours=1), tick=False):
        newer = breach(l1_agent, ticket, "newer breach")
        breach(resolver, ticket, "someone else's breach")
    Notification.objects.filter(pk=older.pk).update(read_at=NOW)
    client.force_login(l1_agent)
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("newer breach") < html.index("older warning")
    assert "someone else" not in html
    assert reverse("notifications:open", args=[newer.pk]) in html
    assert html.count('class="notification unread') == 1
    assert [n.pk for n in response.context["page_obj"]] == [newer.pk, older.pk]


def test_the_list_is_paginated_with_a_bounded_number_of_queries(
    client, l1_agent, ticket, django_assert_max_num_queries
):
    for number in range(30):
        breach(l1_agent, ticket, f"notification {number}")
    client.force_login(l1_agent)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notifications:list"))
    assert len(response.context["page_obj"]) == 25
    assert response.context["page_obj"].paginator.num_pages == 2
    second = client.get(reverse("notifications:list"), {"page": 2})
    assert len(second.context["page_obj"]) == 5


def test_an_empty_list_says_what_will_appear(client, l1_agent):
    client.force_login(l1_agent)
    response = client.get(reverse("notifications:list"))
    assert "No notifications yet" in response.content.decode()
    assert "Mark all" not in response.content.decode()


def test_the_bell_fragment_counts_unread_in_one_query(client, l1_agent, resolver, ticket, django_assert_num_queries):
    breach(l1_agent, ticket)
    breach(l1_agent, ticket)
    breach(resolver, ticket)
    client.force_login(l1_agent)
    client.get(reverse("notifications:list"))  # the session and the user are loaded once per request anyway
    with django_assert_num_queries(3):  # session, user, COUNT
        response = client.get(reverse("notifications:bell"), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'data-count="2"' in response.content.decode()
    Notification.objects.filter(recipient=l1_agent).update(read_at=NOW)
    assert "bell-count" not in client.get(reverse("notifications:bell")).content.decode()


def test_desk_pages_poll_the_bell_every_minute(client, l1_agent):
    client.force_login(l1_agent)
    html = client.get(reverse("notifications:list")).content.decode()
    assert 'id="notification-bell"' in html
    assert f'hx-get="{reverse("notifications:bell")}"' in html
    assert "every 60s" in html


def test_customers_see_no_bell_and_are_refused(client, customer_user, l1_agent, ticket):
    notification = breach(l1_agent, ticket)
    client.force_login(customer_user.user)
    assert "notification-bell" not in client.get(reverse("portal:tickets")).content.decode()
    assert client.get(reverse("notifications:list")).status_code == 403
    assert client.get(reverse("notifications:bell")).status_code == 403
    assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 403
    assert client.post(reverse("notifications:read_all")).status_code == 403
    notification.refresh_from_db()
    assert notification.read_at is None


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("notifications:list"))
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_opening_marks_read_and_goes_to_the_ticket(client, l1_agent, ticket):
    notification = breach(l1_agent, ticket)
    client.force_login(l1_agent)
    with time_machine.travel(NOW, tick=False):
        response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == ticket.get_absolute_url()
    notification.refresh_from_db()
    assert notification.read_at == NOW
    assert unread_count(l1_agent) == 0
    # Opening it again keeps the first reading time.
    client.get(reverse("notifications:open", args=[notification.pk]))
    notification.refresh_from_db()
    assert notification.read_at == NOW


def test_a_notification_without_a_ticket_opens_the_list(client, l1_agent):
    notification = notify([l1_agent.pk], kind=NotificationKind.OTHER, title="Hello")[0]
    client.force_login(l1_agent)
    response = client.get(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == reverse("notifications:list")


def test_nobody_opens_another_persons_notification(client, l1_agent, resolver, admin_user, ticket):
    notification = breach(resolver, ticket)
    for intruder in (l1_agent, admin_user):
        client.force_login(intruder)
        assert client.get(reverse("notifications:open", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.read_at is None


def test_mark_all_read_marks_only_mine_and_needs_post(client, l1_agent, resolver, ticket):
    breach(l1_agent, ticket)
    breach(l1_agent, ticket)
    theirs = breach(resolver, ticket)
    client.force_login(l1_agent)
    assert client.get(reverse("notifications:read_all")).status_code == 405
    assert unread_count(l1_agent) == 2
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302 and response["Location"] == reverse("notifications:list")
    assert unread_count(l1_agent) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
