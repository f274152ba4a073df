import django_filters

from core.api.filtersets import IntegerFilter, ScopedFilterSet

from .models import Assignment


class AssignmentFilterSet(ScopedFilterSet):
    dimension_code = django_filters.CharFilter(
        field_name="dimension__code", label="Codice della dimensione (es. area_utenza)."
    )
    code = django_filters.CharFilter(field_name="code__code", label="Codice (es. FAM).")
    plan = IntegerFilter(field_name="action__objective__plan",
                         label="Id del Piano Operativo.")
    year = IntegerFilter(field_name="action__objective__plan__year", label="Anno del piano.")

    class Meta:
        model = Assignment
        fields = ["action", "line", "status"]
