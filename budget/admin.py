from django.contrib import admin

from pianozona.scoped_admin import ScopedAdmin, ScopedInline

from .models import (
    AgencyYearFigure,
    BudgetLine,
    ChannelReference,
    FundingAllocation,
    FundingChannel,
    Surplus,
)


class BudgetLineInline(ScopedInline):
    model = BudgetLine
    fields = ["item", "note", "channel", "preventivo", "consuntivo", "position"]


class ChannelReferenceInline(ScopedInline):
    model = ChannelReference


@admin.register(FundingChannel)
class FundingChannelAdmin(ScopedAdmin):
    list_display = ["code", "name", "kind", "restricted", "ambito"]
    list_filter = ["ambito", "kind", "restricted"]
    search_fields = ["code", "name"]
    inlines = [ChannelReferenceInline]


@admin.register(ChannelReference)
class ChannelReferenceAdmin(ScopedAdmin):
    list_display = ["channel", "year", "reference", "amount"]
    list_filter = ["channel__ambito", "year"]


@admin.register(FundingAllocation)
class FundingAllocationAdmin(ScopedAdmin):
    list_display = ["label", "year", "stage", "kind", "channel", "restricted", "amount"]
    list_filter = ["ambito", "year", "stage", "kind", "restricted"]
    search_fields = ["label", "group"]
    list_select_related = ["channel"]


@admin.register(BudgetLine)
class BudgetLineAdmin(ScopedAdmin):
    list_display = ["item", "note", "action", "channel", "preventivo", "consuntivo"]
    list_filter = [
        "action__objective__plan__zone_plan__ambito",
        "action__objective__plan__year",
        "channel",
    ]
    search_fields = ["item", "note"]
    list_select_related = ["action", "channel"]


@admin.register(Surplus)
class SurplusAdmin(ScopedAdmin):
    list_display = ["description", "objective", "action", "restricted", "amount", "plan"]
    list_filter = ["plan__zone_plan__ambito", "plan__year", "restricted"]
    search_fields = ["description"]
    list_select_related = ["objective", "action", "plan"]


@admin.register(AgencyYearFigure)
class AgencyYearFigureAdmin(ScopedAdmin):
    list_display = ["organisation", "year", "kind", "amount"]
    list_filter = ["ambito", "kind", "year"]
