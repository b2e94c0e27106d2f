"""Admin of configuration items."""

from django.contrib import admin

from servicedesk.assets.models import ConfigurationItem


@admin.register(ConfigurationItem)
class ConfigurationItemAdmin(admin.ModelAdmin):
    list_display = ("name", "organization", "kind", "hostname", "ip_address", "active")
    list_filter = ("kind", "active")
    list_select_related = ("organization",)
    search_fields = ("name", "hostname", "ip_address", "organization__name")
    autocomplete_fields = ("organization",)
