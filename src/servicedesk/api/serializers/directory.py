"""Read-only directory resources: organizations, contacts, teams, agents, categories, configuration items."""

from __future__ import annotations

from rest_framework import serializers

from servicedesk.accounts.models import Contact, Organization, Team, User
from servicedesk.assets.models import ConfigurationItem
from servicedesk.tickets.models import Category


class OrganizationSerializer(serializers.ModelSerializer[Organization]):
    class Meta:
        model = Organization
        fields = ["id", "name", "company_id", "vat_id", "email_domains", "phone", "address", "active"]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer[Contact]):
    organization = serializers.IntegerField(source="organization_id", allow_null=True)

    class Meta:
        model = Contact
        fields = ["id", "organization", "name", "email", "phone", "language", "role", "active"]
        read_only_fields = fields


class TeamSerializer(serializers.ModelSerializer[Team]):
    class Meta:
        model = Team
        fields = ["id", "name", "slug", "description", "is_first_level"]
        read_only_fields = fields


class AgentSerializer(serializers.ModelSerializer[User]):
    name = serializers.CharField(source="display_name")

    class Meta:
        model = User
        fields = ["id", "username", "name", "email"]
        read_only_fields = fields


class CategorySerializer(serializers.ModelSerializer[Category]):
    default_team = serializers.IntegerField(source="default_team_id", allow_null=True)

    class Meta:
        model = Category
        fields = ["id", "slug", "name_cs", "name_en", "position", "default_team"]
        read_only_fields = fields


class ItemSerializer(serializers.ModelSerializer[ConfigurationItem]):
    organization = serializers.IntegerField(source="organization_id")

    class Meta:
        model = ConfigurationItem
        fields = ["id", "organization", "name", "kind", "hostname", "ip_address", "active"]
        read_only_fields = fields
