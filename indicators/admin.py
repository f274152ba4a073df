from django.contrib import admin

from core.entry.admin_import import ScopedImportExportMixin
from core.scoped_admin import ScopedAdmin, ScopedInline

from .models import EvaluationCriterion, Indicator, Kpi, KpiValue, Measurement, Milestone
from .resources import MeasurementResource


class MeasurementInline(ScopedInline):
    model = Measurement
    fields = ["period_end", "state", "value", "text_value", "note"]
    show_change_link = False


class IndicatorInline(ScopedInline):
    model = Indicator
    fields = ["name", "action", "kind", "target", "periodicity", "position"]


class MilestoneInline(ScopedInline):
    model = Milestone
    fields = ["title", "action", "due_date", "periodicity", "achieved", "note", "position"]


class EvaluationCriterionInline(ScopedInline):
    model = EvaluationCriterion
    fields = ["text", "position"]
    show_change_link = False


class KpiValueInline(ScopedInline):
    model = KpiValue
    show_change_link = False


@admin.register(Indicator)
class IndicatorAdmin(ScopedAdmin):
    list_display = ["name", "kind", "objective", "action", "periodicity"]
    list_filter = ["objective__plan__zone_plan__ambito", "objective__plan__year", "kind"]
    search_fields = ["name", "target"]
    list_select_related = ["objective", "action"]
    inlines = [MeasurementInline]


@admin.register(Measurement)
class MeasurementAdmin(ScopedImportExportMixin, ScopedAdmin):
    resource_classes = [MeasurementResource]
    list_display = ["indicator", "period_end", "state", "value", "text_value"]
    list_filter = ["indicator__objective__plan__zone_plan__ambito", "period_end", "state"]
    search_fields = ["indicator__name"]
    list_select_related = ["indicator"]


@admin.register(Milestone)
class MilestoneAdmin(ScopedAdmin):
    list_display = ["title", "objective", "due_date", "periodicity", "achieved"]
    list_filter = ["objective__plan__zone_plan__ambito", "objective__plan__year", "achieved"]
    search_fields = ["title", "note"]
    list_select_related = ["objective"]


@admin.register(EvaluationCriterion)
class EvaluationCriterionAdmin(ScopedAdmin):
    list_display = ["text", "objective"]
    list_filter = ["objective__plan__zone_plan__ambito"]
    search_fields = ["text"]


@admin.register(Kpi)
class KpiAdmin(ScopedAdmin):
    list_display = ["name", "unit", "ambito"]
    list_filter = ["ambito"]
    inlines = [KpiValueInline]


@admin.register(KpiValue)
class KpiValueAdmin(ScopedAdmin):
    list_display = ["kpi", "year", "value"]
    list_filter = ["kpi__ambito", "year"]
