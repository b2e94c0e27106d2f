from django.contrib import admin

from servicedesk.webhooks.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    list_display = ["name", "url", "organization", "active"]
    list_filter = ["active"]


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ["id", "subscription", "event_type", "status", "attempts", "created_at", "last_status_code"]
    list_filter = ["status", "event_type"]
    list_select_related = ["subscription"]
    raw_id_fields = ["subscription"]
    readonly_fields = [field.name for field in Delivery._meta.fields]
