"""Rilevazioni in and out of Excel/CSV (admin and the quarterly page).

A workbook of 10,000 rows is checked against lookups loaded in a handful of
queries, and its preview validates without writing (``save_in_dry_run``).
"""

from django.core.exceptions import ValidationError
from import_export import fields
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core.entry.access import policy_for
from core.entry.spreadsheets import (
    MEASURE_FORMAT,
    EntryResource,
    ItalianDateWidget,
    RowError,
    TextWidget,
)
from core.roles import CHANGE

from .models import Indicator, Measurement
from .periods import quarter_of
from .values import clean_measure

STATE_WORDS = {
    "": "value", "valore": "value", "value": "value",
    "n.d.": "nd", "nd": "nd", "n.d": "nd", "n/d": "nd", "non disponibile": "nd",
    "–": "not_applicable", "-": "not_applicable", "—": "not_applicable",
    "non rilevato": "not_applicable", "not_applicable": "not_applicable",
}
STATE_LABELS = {"value": "", "nd": "N.D.", "not_applicable": "–"}


class MeasurementResource(EntryResource):
    indicator_ref = fields.Field(column_name="ID indicatore", widget=TextWidget())
    objective = fields.Field(column_name="Obiettivo", widget=TextWidget())
    indicator_name = fields.Field(column_name="Indicatore", widget=TextWidget())
    target = fields.Field(column_name="Valore atteso", widget=TextWidget())
    period_end = fields.Field(attribute="period_end", column_name="Rilevazione al",
                              widget=ItalianDateWidget())
    state_label = fields.Field(column_name="Stato", widget=TextWidget())
    value_cell = fields.Field(column_name="Valore", widget=TextWidget())
    note = fields.Field(attribute="note", column_name="Nota", widget=TextWidget())

    required_fields = ("indicator_ref", "period_end", "value_cell")
    number_formats = {"Valore": MEASURE_FORMAT}
    sheet_title = "Rilevazioni"
    save_in_dry_run = False
    compared_fields = ("state", "value", "text_value", "note")
    labels = {"state": "Stato", "value": "Valore", "text_value": "Valore testuale",
              "note": "Nota"}

    class Meta(EntryResource.Meta):
        model = Measurement
        # Rows are validated one by one, then written in batches with their history
        # (10,000 rows: a few dozen queries instead of tens of thousands).
        use_bulk = True
        batch_size = 1000
        fields = ("indicator_ref", "objective", "indicator_name", "target", "period_end",
                  "state_label", "value_cell", "note")
        export_order = fields
        import_id_fields = ("indicator_ref", "period_end")

    @classmethod
    def get_display_name(cls):
        return "Rilevazioni"

    # -- export -----------------------------------------------------------------------------
    def filter_export(self, queryset, **kwargs):
        if hasattr(queryset, "select_related"):
            return queryset.select_related("indicator__objective").order_by(
                "indicator__objective__number", "indicator__position", "indicator_id",
                "period_end",
            )
        return queryset

    def rows_for_quarter(self, *, indicators, period_end):
        """One row per indicator: its measurement at ``period_end`` or a blank to fill in."""
        indicators = list(indicators.select_related("objective").order_by(
            "objective__number", "position", "pk"))
        existing = {
            m.indicator_id: m
            for m in Measurement.objects.filter(indicator__in=indicators, period_end=period_end)
        }
        rows = []
        for indicator in indicators:
            measurement = existing.get(indicator.pk)
            if measurement is None:
                measurement = Measurement(indicator=indicator, period_end=period_end,
                                          state="value")
            measurement.indicator = indicator
            rows.append(measurement)
        return rows

    def dehydrate_indicator_ref(self, m):
        return m.indicator_id

    def indicator_of(self, m):
        # During an import the indicators are preloaded and the rows do not cache them
        # (see find_instance); an export selects them with the measurements.
        preloaded = getattr(self, "indicators", None)
        if preloaded is not None and m.indicator_id in preloaded:
            return preloaded[m.indicator_id]
        return m.indicator

    def dehydrate_objective(self, m):
        return self.indicator_of(m).objective.number

    def dehydrate_indicator_name(self, m):
        return self.indicator_of(m).name

    def dehydrate_target(self, m):
        return self.indicator_of(m).target

    def dehydrate_state_label(self, m):
        return STATE_LABELS.get(m.state, "")

    def dehydrate_value_cell(self, m):
        if m.state != Measurement.State.VALUE:
            return ""
        if self.indicator_of(m).kind == Indicator.Kind.BOOLEAN and m.value is not None:
            return "Sì" if m.value else "No"
        if m.value is not None:
            # Whole counts as integers, the rest as the decimals that were entered.
            return m.value.normalize() if m.value == m.value.to_integral() else m.value
        return m.text_value

    # -- import -----------------------------------------------------------------------------
    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None,
                    result=None):
        if self.create_instances and not dry_run:
            bulk_create_with_history(
                self.create_instances, Measurement, batch_size=batch_size or 1000,
                default_user=self.user, default_change_reason="Importazione da file",
            )
        self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None,
                    result=None):
        if self.update_instances and not dry_run:
            bulk_update_with_history(
                self.update_instances, Measurement, list(self.compared_fields),
                batch_size=batch_size or 1000, default_user=self.user,
                default_change_reason="Importazione da file",
            )
        self.update_instances.clear()

    def preload(self):
        plan = self.context.get("plan")
        indicators = Indicator.objects.restrict(self.user, CHANGE).select_related(
            "objective__plan"
        )
        if plan is not None:
            indicators = indicators.filter(objective__plan=plan)
        self.indicators = {i.pk: i for i in indicators}
        self.existing = {
            (m.indicator_id, m.period_end): m
            for m in Measurement.objects.filter(indicator__in=self.indicators.keys())
        }
        self.dates = ItalianDateWidget()
        self.parsed_dates = {}  # a workbook holds a handful of distinct dates: parse each once

    def find_instance(self, row):
        raw = row.get("ID indicatore")
        try:
            pk = int(float(str(raw).strip()))
        except (TypeError, ValueError):
            raise ValidationError(
                {"ID indicatore": [f"«{raw or ''}» non è l'ID di un indicatore."]}
            ) from None
        indicator = self.indicators.get(pk)
        if indicator is None:
            raise ValidationError({"ID indicatore": [
                f"l'indicatore {pk} non è tra quelli che puoi aggiornare"
                + (" in questo piano." if self.context.get("plan") else ".")
            ]})
        raw_date = row.get("Rilevazione al")
        try:
            period_end = self.parsed_dates[raw_date]
        except (KeyError, TypeError):
            try:
                period_end = self.dates.clean(raw_date)
            except ValueError as exc:
                raise ValidationError({"Rilevazione al": [str(exc)]}) from None
            if isinstance(raw_date, str):
                self.parsed_dates[raw_date] = period_end
        if period_end is None:
            raise ValidationError({"Rilevazione al": ["indica la data della rilevazione."]})
        key = (pk, period_end)
        if key in self.seen:
            raise ValidationError({"Rilevazione al": [
                f"l'indicatore {pk} al {period_end:%d/%m/%Y} compare più volte nel file."
            ]})
        self.seen.add(key)
        measurement = self.existing.get(key)
        if measurement is None:
            # By id, not by object: import-export deep-copies every row's instance before
            # changing it, and a cached indicator would drag its objective, plan, zone plan
            # and ambito into each copy (a third of the time of a 10,000-row import).
            measurement = Measurement(indicator_id=indicator.pk, period_end=period_end)
            measurement._is_new = True
        return measurement

    def get_or_init_instance(self, instance_loader, row):
        instance = self.find_instance(row)
        return instance, getattr(instance, "_is_new", False)

    def resolve(self, measurement, row, errors):
        indicator = self.indicators[measurement.indicator_id]
        measurement.indicator = indicator  # copied already: the row's name needs it, no query
        plan = indicator.objective.plan
        period_end = measurement.period_end
        if period_end is None:
            return
        if period_end.year != plan.year or quarter_of(period_end) is None:
            errors.setdefault("period_end", []).append(
                f"le rilevazioni del {plan.year} sono al 31/03, 30/06, 30/09 o 31/12 "
                f"del {plan.year}."
            )
            return
        word = str(row.get("Stato") or "").strip().casefold()
        state = STATE_WORDS.get(word)
        if state is None:
            errors.setdefault("Stato", []).append(
                f"«{row.get('Stato')}» non è uno stato valido: lascia vuoto per un valore, "
                "oppure scrivi N.D. o –."
            )
            return
        raw = row.get("Valore")
        if isinstance(raw, str):
            raw = raw.strip()
        try:
            cleaned = clean_measure(indicator=indicator, state=state, raw=raw)
        except ValidationError as exc:
            errors.setdefault("Valore", []).extend(exc.messages)
            return
        if cleaned is None:
            measurement._skip = True
            return
        policy = policy_for(plan)
        if not policy.monitoring_editable:
            raise RowError(policy.notice)
        measurement.state, measurement.value, measurement.text_value = cleaned
        measurement.note = measurement.note or ""
