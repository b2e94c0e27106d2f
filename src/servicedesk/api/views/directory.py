"""Read-only directory endpoints. Customers see their own organization, its items and (managers) its contacts;
teams and agents are for agents only."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import viewsets

from servicedesk.accounts.models import Contact, Organization, Team, User
from servicedesk.api import permissions as perms
from servicedesk.api.pagination import ByName
from servicedesk.api.serializers import directory as s
from servicedesk.assets.models import ConfigurationItem
from servicedesk.tickets.models import Category


class _Directory(viewsets.ReadOnlyModelViewSet[Any]):
    """Read-only; edited in the desk and the admin."""

    permission_classes = [perms.IsAgentOrContact]
    pagination_class = ByName


@extend_schema_view(list=extend_schema(summary="Organizations (customers: their own)"))
class OrganizationViewSet(_Directory):
    serializer_class = s.OrganizationSerializer

    def get_queryset(self) -> QuerySet[Organization]:
        if perms.is_agent(self.request.user):
            return Organization.objects.all()
        contact = perms.contact_of(self.request)
        if contact is None or contact.organization_id is None:
            return Organization.objects.none()
        return Organization.objects.filter(pk=contact.organization_id)


@extend_schema_view(list=extend_schema(summary="Contacts (customer managers: their organization's; users: themselves)"))
class ContactViewSet(_Directory):
    serializer_class = s.ContactSerializer

    def get_queryset(self) -> QuerySet[Contact]:
        if perms.is_agent(self.request.user):
            return Contact.objects.all()
        contact = perms.contact_of(self.request)
        if contact is None:
            return Contact.objects.none()
        if contact.is_manager and contact.organization_id is not None:
            return Contact.objects.filter(organization_id=contact.organization_id)
        return Contact.objects.filter(pk=contact.pk)


@extend_schema_view(list=extend_schema(summary="Teams (agents)"))
class TeamViewSet(_Directory):
    serializer_class = s.TeamSerializer
    permission_classes = [perms.IsAgent]
    queryset = Team.objects.all()


@extend_schema_view(list=extend_schema(summary="Agents (agents)"))
class AgentViewSet(_Directory):
    serializer_class = s.AgentSerializer
    permission_classes = [perms.IsAgent]
    queryset = User.objects.filter(is_staff=True, is_active=True)


@extend_schema_view(list=extend_schema(summary="Active categories of the service catalogue"))
class CategoryViewSet(_Directory):
    serializer_class = s.CategorySerializer
    queryset = Category.objects.filter(active=True)


@extend_schema_view(list=extend_schema(summary="Configuration items (customers: their organization's)"))
class ItemViewSet(_Directory):
    serializer_class = s.ItemSerializer

    def get_queryset(self) -> QuerySet[ConfigurationItem]:
        if perms.is_agent(self.request.user):
            return ConfigurationItem.objects.all()
        contact = perms.contact_of(self.request)
        if contact is None or contact.organization_id is None:
            return ConfigurationItem.objects.none()
        return ConfigurationItem.objects.filter(organization_id=contact.organization_id)
