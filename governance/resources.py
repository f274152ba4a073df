"""The Comuni's spesa sociale in and out of Excel/CSV (the spreadsheet the Comuni send).

One row per Comune and year: total, gestione singola, gestione associata and, when the
Comune gives it, the resident population of that year. The whole file is checked before
anything is written (core/entry): a Comune not of the ambito, a year or an amount that is
not a number, a split half given or not adding up, the same Comune and year twice — one
such row and nothing is saved, each problem named in Italian with its row and column.
"""

from django.core.exceptions import ValidationError
from import_export import fields

from core.entry.spreadsheets import (
    MONEY_FORMAT,
    EntryResource,
    ItalianDecimalWidget,
    TextWidget,
)
from core.roles import CHANGE

from .models import Municipality, MunicipalSpending, PopulationFigure
from .services import spending_problems

YEAR_RANGE = (1990, 2100)
COLUMNS = {"amount": "Spesa totale", "amount_single": "Gestione singola",
           "amount_associated": "Gestione associata"}


def _key(name):
    return " ".join(str(name or "").replace("’", "'").split()).casefold()


class MunicipalSpendingResource(EntryResource):
    municipality_name = fields.Field(column_name="Comune", widget=TextWidget())
    year = fields.Field(column_name="Anno", widget=TextWidget())
    amount = fields.Field(attribute="amount", column_name="Spesa totale",
                          widget=ItalianDecimalWidget(places=2, label="La spesa totale"))
    amount_single = fields.Field(
        attribute="amount_single", column_name="Gestione singola",
        widget=ItalianDecimalWidget(places=2, label="La spesa in gestione singola"))
    amount_associated = fields.Field(
        attribute="amount_associated", column_name="Gestione associata",
        widget=ItalianDecimalWidget(places=2, label="La spesa in gestione associata"))
    population = fields.Field(column_name="Popolazione residente", widget=TextWidget())
    source = fields.Field(attribute="source", column_name="Fonte", widget=TextWidget())

    required_fields = ("municipality_name", "year")
    number_formats = {"Spesa totale": MONEY_FORMAT, "Gestione singola": MONEY_FORMAT,
                      "Gestione associata": MONEY_FORMAT, "Popolazione residente": "#,##0"}
    sheet_title = "Spesa sociale dei Comuni"
    compared_fields = ("amount", "amount_single", "amount_associated", "source")
    labels = {"amount": "Spesa totale", "amount_single": "Gestione singola",
              "amount_associated": "Gestione associata", "source": "Fonte"}

    class Meta(EntryResource.Meta):
        model = MunicipalSpending
        fields = ("municipality_name", "year", "amount", "amount_single", "amount_associated",
                  "population", "source")
        export_order = fields
        import_id_fields = ("municipality_name", "year")

    @classmethod
    def get_display_name(cls):
        return "Spesa sociale dei Comuni"

    # -- export: the ambito's Comuni for a year, blank where nothing is recorded yet ---------
    def rows_for_year(self, *, ambito, year):
        municipalities = list(Municipality.objects.filter(ambito=ambito)
                              .order_by("position", "name"))
        existing = {s.municipality_id: s for s in MunicipalSpending.objects.filter(
            municipality__ambito=ambito, year=year)}
        self.export_population = dict(PopulationFigure.objects.filter(
            municipality__ambito=ambito, year=year).values_list("municipality_id", "value"))
        rows = []
        for municipality in municipalities:
            spending = existing.get(municipality.pk) or MunicipalSpending(
                municipality=municipality, year=year, amount=None)
            spending.municipality = municipality
            rows.append(spending)
        return rows

    def dehydrate_municipality_name(self, spending):
        return spending.municipality.name

    def dehydrate_year(self, spending):
        return spending.year

    def dehydrate_population(self, spending):
        return getattr(self, "export_population", {}).get(spending.municipality_id)

    # -- import ------------------------------------------------------------------------------
    def preload(self):
        ambito = self.context["ambito"]
        municipalities = Municipality.objects.restrict(self.user, CHANGE).filter(ambito=ambito)
        self.by_name = {}
        for municipality in municipalities:
            for name in [municipality.name, *(municipality.aliases or [])]:
                self.by_name.setdefault(_key(name), municipality)
        self.existing = {
            (s.municipality_id, s.year): s
            for s in MunicipalSpending.objects.filter(municipality__in=municipalities)
        }
        self.populations = {
            (p.municipality_id, p.year): p
            for p in PopulationFigure.objects.filter(municipality__in=municipalities)
        }
        self.ambito = ambito

    def find_instance(self, row):
        raw_name = row.get("Comune")
        municipality = self.by_name.get(_key(raw_name))
        if municipality is None:
            raise ValidationError({"Comune": [
                f"«{raw_name or ''}» non è un Comune dell'{self.ambito.name}."
                if raw_name not in (None, "") else "indica il Comune."
            ]})
        raw_year = row.get("Anno")
        try:
            year = int(float(str(raw_year).strip().replace(",", ".")))
            if float(str(raw_year).strip().replace(",", ".")) != year:
                raise ValueError
        except (TypeError, ValueError):
            raise ValidationError({"Anno": [
                f"«{raw_year or ''}» non è un anno: scrivi ad esempio 2018."]}) from None
        if not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
            raise ValidationError({"Anno": [
                f"{year} non è un anno plausibile (tra {YEAR_RANGE[0]} e {YEAR_RANGE[1]})."]})
        key = (municipality.pk, year)
        if key in self.seen:
            raise ValidationError({"Comune": [
                f"{municipality.name} compare più volte nel file per il {year}."]})
        self.seen.add(key)
        spending = self.existing.get(key)
        if spending is None:
            spending = MunicipalSpending(municipality_id=municipality.pk, year=year,
                                         amount=None)
        spending._municipality = municipality
        return spending

    def resolve(self, spending, row, errors):
        if errors:
            return
        if spending.amount is None and spending.amount_single is not None and (
                spending.amount_associated is not None):
            spending.amount = spending.amount_single + spending.amount_associated
        for name, messages in spending_problems(
                amount=spending.amount, amount_single=spending.amount_single,
                amount_associated=spending.amount_associated).items():
            errors.setdefault(COLUMNS[name], []).append(messages)
        raw = row.get("Popolazione residente")
        spending._population = None
        if raw not in (None, ""):
            try:
                value = float(str(raw).strip().replace(".", "").replace(",", "."))
                if not value.is_integer() or value <= 0:
                    raise ValueError
            except ValueError:
                errors.setdefault("Popolazione residente", []).append(
                    f"«{raw}» non è un numero di abitanti: scrivi ad esempio 3.892.")
                return
            spending._population = int(value)
        if not spending.source:
            spending.source = "Importazione da file"

    def _population_changes(self, spending):
        if spending._population is None:
            return False
        known = self.populations.get((spending.municipality_id, spending.year))
        return known is None or known.value != spending._population

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not import_validation_errors and self._population_changes(instance):
            return False
        return super().skip_row(instance, original, row, import_validation_errors)

    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        if not self._population_changes(instance):
            return
        key = (instance.municipality_id, instance.year)
        figure = self.populations.get(key) or PopulationFigure(
            municipality_id=instance.municipality_id, year=instance.year)
        figure.value = instance._population
        figure._history_user = self.user
        figure._change_reason = "Importazione da file"
        figure.save()
