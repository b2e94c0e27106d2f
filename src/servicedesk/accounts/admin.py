"""Admin of people and organizations: the back office's view of the directory, agents and teams."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from servicedesk.accounts.models import Contact, Invitation, Organization, Team, User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_staff", "is_active", "language")
    list_filter = ("is_staff", "is_superuser", "is_active", "language", "teams")
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ("language",)}),
    )


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "is_first_level")
    list_filter = ("is_first_level",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    filter_horizontal = ("members",)


class ContactInline(admin.TabularInline):
    model = Contact
    fields = ("name", "email", "phone", "role", "active")
    extra = 0
    show_change_link = True


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("name", "company_id", "vat_id", "phone", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("name", "company_id", "vat_id")
    inlines = [ContactInline]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("name", "email", "phone", "organization", "role", "language", "active")
    list_filter = ("role", "language", "active")
    list_select_related = ("organization",)
    search_fields = ("name", "email", "phone", "phone_digits", "organization__name")
    autocomplete_fields = ("organization",)
    raw_id_fields = ("user",)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Who invited whom and when; read-only: invitations are sent from the desk's contact page."""

    list_display = ("contact", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    list_select_related = ("contact", "invited_by")
    search_fields = ("contact__name", "contact__email")
    readonly_fields = ("contact", "user", "invited_by", "created_at", "expires_at", "accepted_at", "revoked_at")
    exclude = ("token_hash",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Invitation | None = None) -> bool:
        return False
