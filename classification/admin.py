from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from core.scoped_admin import ItalianHistoryMixin, LabelledInlineFormSet, ScopedAdmin

from .models import Assignment, Code, Dimension


class ReferenceAdmin(ItalianHistoryMixin, SimpleHistoryAdmin):
    """Reference lists shared by every ambito: read by staff, changed by superusers only."""

    def has_module_permission(self, request):
        return request.user.is_active and (request.user.is_superuser or request.user.is_staff)

    def has_view_permission(self, request, obj=None):
        return self.has_module_permission(request)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


class CodeInline(admin.TabularInline):
    model = Code
    fk_name = "dimension"
    extra = 0
    # The project's tabular inline: named inputs and headers, a focusable read-only table.
    formset = LabelledInlineFormSet
    template = "admin/edit_inline/tabular_labelled.html"
    fields = ["code", "label", "parent", "valid_from_year", "valid_to_year", "note", "position"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and (request.user.is_superuser or request.user.is_staff)


@admin.register(Dimension)
class DimensionAdmin(ReferenceAdmin):
    list_display = ["code", "name", "splittable", "position"]
    search_fields = ["code", "name"]
    inlines = [CodeInline]


@admin.register(Code)
class CodeAdmin(ReferenceAdmin):
    list_display = ["code", "label", "dimension", "valid_from_year", "valid_to_year"]
    list_filter = ["dimension"]
    search_fields = ["code", "label"]


@admin.register(Assignment)
class AssignmentAdmin(ScopedAdmin):
    list_display = ["action", "line", "dimension", "code", "share", "status"]
    list_filter = ["dimension", "status"]
    search_fields = ["action__title", "line__item", "reason"]
    raw_id_fields = ["action", "line"]
