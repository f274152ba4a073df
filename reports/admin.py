"""Admin of the report jobs: read-only, scoped by ambito, linked to the request pages."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from core.roles import VIEW
from core.scoped_admin import ScopedRelatedFilter
from core.scoping import can

from .models import ReportJob


@admin.register(ReportJob)
class ReportJobAdmin(admin.ModelAdmin):
    change_list_template = "reports/pages/admin_change_list.html"
    list_display = ["__str__", "ambito", "variant", "state", "progress", "pages", "created_at",
                    "requested_by", "link"]
    # The ambito filter lists only the ambiti the user sees, as on every scoped admin.
    list_filter = ["kind", "state", "variant", ("ambito", ScopedRelatedFilter)]
    list_select_related = ["ambito", "operating_plan", "zone_plan", "requested_by"]
    readonly_fields = [f.name for f in ReportJob._meta.fields]

    def get_queryset(self, request):
        return super().get_queryset(request).restrict(request.user, VIEW)

    def has_module_permission(self, request):
        return can(request.user, VIEW, ReportJob)

    def has_view_permission(self, request, obj=None):
        if not can(request.user, VIEW, ReportJob):
            return False
        return obj is None or self.get_queryset(request).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return False  # requested from the report pages, where the data version is computed

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="richiesta")
    def link(self, obj):
        return format_html('<a href="{}">apri</a>', reverse("reports:job", args=[obj.pk]))
