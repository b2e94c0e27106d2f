from django.contrib import admin

from servicedesk.portal.models import SatisfactionRating


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(admin.ModelAdmin):
    list_display = ("ticket", "score", "contact", "updated_at")
    list_filter = ("score",)
    search_fields = ("ticket__number", "comment", "contact__name")
    raw_id_fields = ("ticket", "contact")
    date_hierarchy = "updated_at"
