from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path

from budget.reconciliation import reconcile
from core.scoped_admin import ScopedAdmin, ScopedInline

from .models import (
    Ambito,
    Body,
    BodyMember,
    Deliberation,
    Meeting,
    Membership,
    Municipality,
    MunicipalSpending,
    Organisation,
    PopulationFigure,
    PrintedTotal,
    SourceDocument,
    SubAmbito,
)


class SubAmbitoInline(ScopedInline):
    model = SubAmbito


class PopulationInline(ScopedInline):
    model = PopulationFigure
    show_change_link = False


class SpendingInline(ScopedInline):
    model = MunicipalSpending
    show_change_link = False


class MemberInline(ScopedInline):
    model = BodyMember


class MeetingInline(ScopedInline):
    model = Meeting


class PrintedTotalInline(ScopedInline):
    model = PrintedTotal
    fields = ["scope", "label", "printed", "note"]


@admin.register(Ambito)
class AmbitoAdmin(ScopedAdmin):
    list_display = ["name", "slug", "region", "ente_capofila", "declared_municipality_count"]
    search_fields = ["name", "slug"]
    inlines = [SubAmbitoInline]


@admin.register(SubAmbito)
class SubAmbitoAdmin(ScopedAdmin):
    list_display = ["name", "code", "ambito"]
    list_filter = ["ambito"]
    search_fields = ["name", "code"]


@admin.register(Municipality)
class MunicipalityAdmin(ScopedAdmin):
    list_display = ["name", "ambito", "sub_ambito", "size_class"]
    list_filter = ["ambito", "sub_ambito", "size_class"]
    search_fields = ["name", "aliases"]
    list_select_related = ["ambito", "sub_ambito"]
    inlines = [PopulationInline, SpendingInline]


@admin.register(PopulationFigure)
class PopulationFigureAdmin(ScopedAdmin):
    list_display = ["municipality", "year", "value"]
    list_filter = ["municipality__ambito", "year"]
    search_fields = ["municipality__name"]
    list_select_related = ["municipality"]


@admin.register(MunicipalSpending)
class MunicipalSpendingAdmin(ScopedAdmin):
    list_display = ["municipality", "year", "amount", "amount_single", "amount_associated",
                    "per_capita"]
    list_filter = ["municipality__ambito", "year"]
    search_fields = ["municipality__name"]
    list_select_related = ["municipality"]


@admin.register(Organisation)
class OrganisationAdmin(ScopedAdmin):
    list_display = ["name", "short_name", "kind", "ambito"]
    list_filter = ["ambito", "kind"]
    search_fields = ["name", "short_name"]


@admin.register(Body)
class BodyAdmin(ScopedAdmin):
    list_display = ["name", "kind", "ambito", "organisation"]
    list_filter = ["ambito", "kind"]
    search_fields = ["name", "description"]
    inlines = [MemberInline, MeetingInline]


@admin.register(BodyMember)
class BodyMemberAdmin(ScopedAdmin):
    list_display = ["name", "role", "represents", "body", "start_date", "end_date"]
    list_filter = ["body__ambito", "body"]
    search_fields = ["name", "represents"]


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["body", "date"]
    list_filter = ["body__ambito", "body"]
    date_hierarchy = "date"


@admin.register(Deliberation)
class DeliberationAdmin(ScopedAdmin):
    list_display = ["__str__", "body", "issuer", "approves", "ambito"]
    list_filter = ["ambito", "approves", "body"]
    search_fields = ["number", "subject"]
    date_hierarchy = "date"


@admin.register(Membership)
class MembershipAdmin(ScopedAdmin):
    """Roles are granted by superusers only: nobody raises their own permissions."""

    list_display = ["user", "ambito", "role"]
    list_filter = ["ambito", "role"]
    search_fields = ["user__username", "user__last_name"]

    def has_add_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(SourceDocument)
class SourceDocumentAdmin(ScopedAdmin):
    list_display = ["title", "kind", "year", "ambito"]
    list_filter = ["ambito", "kind", "year"]
    inlines = [PrintedTotalInline]
    change_list_template = "admin/governance/sourcedocument/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view(self.reconciliation_view)
        return [
            path("riconciliazione/", view, name="governance_sourcedocument_reconciliation"),
            *super().get_urls(),
        ]

    def reconciliation_view(self, request):
        """Printed totals that differ from the sum of their lines, for the documents one sees."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        documents = self.get_queryset(request)
        context = {
            **self.admin_site.each_context(request),
            "title": "Riconciliazione dei totali stampati",
            "opts": self.model._meta,
            "documents": documents,
            "differences": reconcile(documents),
        }
        return TemplateResponse(request, "admin/governance/reconciliation.html", context)


@admin.register(PrintedTotal)
class PrintedTotalAdmin(ScopedAdmin):
    list_display = ["label", "scope", "printed", "document"]
    list_filter = ["document__ambito", "document"]
    search_fields = ["label", "scope"]
