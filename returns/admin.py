from django.contrib import admin

from core.scoped_admin import ScopedAdmin

from .models import ReturnTemplate, SentReturn


@admin.register(ReturnTemplate)
class ReturnTemplateAdmin(ScopedAdmin):
    list_display = ["key", "name", "ambito", "row_dimension", "column_dimension", "measure"]
    list_filter = ["measure"]
    search_fields = ["key", "name"]


@admin.register(SentReturn)
class SentReturnAdmin(ScopedAdmin):
    """Sent returns are read only: kept as they were sent."""

    list_display = ["template", "ambito", "year", "sent_at", "sent_by", "grand_total"]
    readonly_fields = ["ambito", "template", "year", "file", "sha256", "grand_total",
                       "sent_at", "sent_by", "note"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
