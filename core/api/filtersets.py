"""FilterSet base: every list can be narrowed to an ambito; relations filter by id."""

import django_filters
from django import forms
from django.db import models
from django_filters.filterset import FILTER_FOR_DBFIELD_DEFAULTS
from drf_spectacular.utils import extend_schema_field

from .serializers import RELATION_DESCRIPTIONS


class BoundedIntegerField(forms.IntegerField):
    """Integers the database can hold: a larger one is a 400, never a database error."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", 2**31 - 1)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """true or false (also 1/0, any case); anything else is a 400, not "no filter"."""

    accepted_values = ("true", "false")
    VALUES = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.VALUES[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(f"Valore non valido: «{value}».", code="invalid") from None

    def validate(self, value):
        pass


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": 2**31 - 1})
class IntegerFilter(django_filters.NumberFilter):
    field_class = BoundedIntegerField


class YearField(BoundedIntegerField):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=9999, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 9999})
class DateYearFilter(django_filters.NumberFilter):
    """The year of a date field (``<field>__year``): 1 to 9999, the years a date can hold."""

    field_class = YearField

    def __init__(self, field_name, **kwargs):
        super().__init__(field_name=field_name, lookup_expr="year", **kwargs)


class QuarterField(BoundedIntegerField):
    accepted_values = ("1", "2", "3", "4")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, min_value=1, max_value=4, **kwargs)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": 4})
class QuarterFilter(django_filters.NumberFilter):
    """A quarter of the year, 1 to 4, of a date field (``<field>__quarter``)."""

    field_class = QuarterField

    def __init__(self, field_name, **kwargs):
        super().__init__(field_name=field_name, lookup_expr="quarter", **kwargs)


class IdFilter(IntegerFilter):
    """A related object by its id: no lookup of the id against other ambiti's objects."""


# Codes a person types, matched whatever the case.
CODE_FIELDS = frozenset({"code", "slug"})


class ScopedFilterSet(django_filters.FilterSet):
    """Adds ``ambito`` (codice) and ``ambito_id`` from the model's ``scope_ambito`` path."""

    # On the class, not in Meta, so that subclasses declaring their own Meta keep it.
    FILTER_DEFAULTS = {
        **FILTER_FOR_DBFIELD_DEFAULTS,
        models.ForeignKey: {"filter_class": IdFilter},
        models.OneToOneField: {"filter_class": IdFilter},
        models.AutoField: {"filter_class": IntegerFilter},
        models.BigAutoField: {"filter_class": IntegerFilter},
        models.IntegerField: {"filter_class": IntegerFilter},
        models.PositiveIntegerField: {"filter_class": IntegerFilter},
        models.PositiveSmallIntegerField: {"filter_class": IntegerFilter},
        models.SmallIntegerField: {"filter_class": IntegerFilter},
        models.BigIntegerField: {"filter_class": IntegerFilter},
    }

    @classmethod
    def get_filters(cls):
        filters = super().get_filters()
        model = cls._meta.model
        for name, declared in filters.items():
            # Filters generated from a model field have no label until bound to a form.
            if declared._label is None and name in RELATION_DESCRIPTIONS:
                declared.label = RELATION_DESCRIPTIONS[name]
            if isinstance(declared, django_filters.BooleanFilter):
                declared.field_class = StrictBooleanField
                # Django's widgets turn an unknown value into "no filter" before validation.
                declared.extra["widget"] = forms.TextInput
            # A code is typed by a person: "fna" finds FNA.
            if (isinstance(declared, django_filters.CharFilter)
                    and declared.lookup_expr == "exact"
                    and declared.field_name.rsplit("__", 1)[-1] in CODE_FIELDS):
                declared.lookup_expr = "iexact"
        if model is not None and hasattr(model, "scope_ambito"):
            # The ambiti list itself too: one vocabulary for every list.
            path = None if model.scope_ambito == "pk" else model.scope_ambito
            filters.setdefault(
                "ambito",
                django_filters.CharFilter(
                    field_name=f"{path}__slug" if path else "slug",
                    lookup_expr="iexact",
                    label="Codice dell'ambito (es. cremasco; maiuscole e minuscole indifferenti).",
                ),
            )
            filters.setdefault(
                "ambito_id",
                IdFilter(field_name=path or "pk", label="Identificativo dell'ambito."),
            )
        return filters


def year_range(field_name="year"):
    return (
        IntegerFilter(field_name=field_name, lookup_expr="gte", label="Dall'anno (compreso)."),
        IntegerFilter(field_name=field_name, lookup_expr="lte", label="All'anno (compreso)."),
    )


def date_range(field_name, what):
    return (
        django_filters.DateFilter(
            field_name=field_name, lookup_expr="gte", label=f"{what} dal (AAAA-MM-GG, compreso)."
        ),
        django_filters.DateFilter(
            field_name=field_name, lookup_expr="lte", label=f"{what} al (AAAA-MM-GG, compreso)."
        ),
    )
