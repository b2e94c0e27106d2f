"""Who may call what: agents everything; a customer (a signed-in active contact) what the portal lets them do."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from servicedesk.accounts.models import Contact


def is_agent(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.is_staff)


def contact_of(request: Request) -> Contact | None:
    """The caller's active contact, looked up once per request."""
    if hasattr(request, "_servicedesk_contact"):
        cached: Contact | None = request._servicedesk_contact
        return cached
    user = request.user
    contact = None
    if user and user.is_authenticated and user.is_active and not user.is_staff:
        contact = Contact.objects.filter(user=user, active=True).select_related("organization").first()
    request._servicedesk_contact = contact  # type: ignore[attr-defined]
    return contact


class IsAgent(BasePermission):
    def has_permission(self, request: Request, view: Any) -> bool:
        return is_agent(request.user)


class IsAgentOrContact(BasePermission):
    """Agents, or users linked to an active contact; any other login (a switched-off contact) gets 403."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return is_agent(request.user) or contact_of(request) is not None
