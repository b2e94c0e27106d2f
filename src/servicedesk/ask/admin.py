from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from servicedesk.ask.models import ConsentRecord, ConsentText


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    """Publishing = adding a version. Published versions are evidence of what visitors agreed to: never edited."""

    list_display = ("version", "published_at", "published_by")
    readonly_fields = ("version", "published_at", "published_by")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: ConsentText, form: Any, change: bool) -> None:
        if change:
            return
        published = ConsentText.publish(text_cs=obj.text_cs, text_en=obj.text_en, by=request.user)
        obj.pk, obj.version, obj.published_at = published.pk, published.version, published.published_at


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ("ticket", "contact", "consent_text", "agreed_at", "ip_address", "language")
    list_filter = ("consent_text", "language")
    search_fields = ("ticket__number", "contact__email", "ip_address")
    raw_id_fields = ("ticket", "contact")
    date_hierarchy = "agreed_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
