"""The Comuni's spesa sociale of an ambito: Comuni × years with per-head figures and the
PdZ classes, the district's KPIs on top (governance/selectors.py computes them, or says
which data is missing), entry of one Comune's figure and import of the Comuni's file.

Whoever reads the ambito reads the page (revisori too: it is a report, read-only for
them); only the Ufficio di Piano of the ambito records and imports (403 with the reason
for the others); other ambiti do not exist for the user (404).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from core.entry.access import PageAccessMixin
from core.entry.imports import ImportPageMixin
from core.roles import VIEW
from governance.models import Ambito, MunicipalSpending, PopulationFigure
from governance.resources import MunicipalSpendingResource
from governance.selectors import (
    SIZE_CLASSES,
    municipal_spending_summary,
    spending_matrix,
    spending_years,
)
from governance.services import SPENDING_EDITORS, spending_save
from objectives.services import user_holds

from .forms_spending import SpendingForm

FORBIDDEN = "Solo l'Ufficio di Piano dell'ambito registra e importa la spesa sociale dei Comuni."
HISTORY_ROWS = 10


def ambito_for_spending(user, slug, *, edit=False):
    """The ambito if ``user`` reads it (404 otherwise); 403 for who may not edit when ``edit``."""
    ambito = Ambito.objects.restrict(user, VIEW).filter(slug=slug).first()
    if ambito is None:
        raise Http404("Ambito non trovato.")
    if edit and not user_holds(user, ambito, *SPENDING_EDITORS):
        raise PermissionDenied(FORBIDDEN)
    return ambito


def spending_url(ambito, year=None):
    url = reverse("planning:spending", kwargs={"ambito": ambito.slug})
    return f"{url}?anno={year}" if year else url


def _chosen_year(raw, years):
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return years[-1] if years else None
    return year if 1990 <= year <= 2100 else (years[-1] if years else None)


def _recent_changes(ambito):
    records = (
        MunicipalSpending.history.filter(municipality__ambito=ambito)
        .select_related("history_user", "municipality").order_by("-history_date")[:HISTORY_ROWS]
    )
    kinds = {"+": "inserita", "~": "modificata", "-": "eliminata"}
    return [{"date": r.history_date, "user": r.history_user, "municipality": r.municipality,
             "year": r.year, "amount": r.amount, "kind": kinds.get(r.history_type, ""),
             "reason": r.history_change_reason or ""} for r in records]


class SpendingView(PageAccessMixin, View):
    template_name = "planning/spending.html"

    def get(self, request, ambito):
        ambito = ambito_for_spending(request.user, ambito)
        years = spending_years(ambito=ambito)
        year = _chosen_year(request.GET.get("anno"), years)
        summary = municipal_spending_summary(ambito=ambito, year=year) if year else None
        matrix_years, matrix_rows = spending_matrix(ambito=ambito)
        return TemplateResponse(request, self.template_name, {
            "page_title": f"Spesa sociale dei Comuni – {ambito.name}", "ambito": ambito,
            "nav": "spending", "years": years, "year": year, "summary": summary,
            "matrix_years": matrix_years, "matrix_rows": matrix_rows,
            "size_classes": SIZE_CLASSES,
            "may_edit": user_holds(request.user, ambito, *SPENDING_EDITORS),
            "changes": _recent_changes(ambito),
        })


class SpendingEntryView(PageAccessMixin, View):
    template_name = "planning/spending_form.html"

    def render(self, request, ambito, form, status=200):
        return TemplateResponse(request, self.template_name, {
            "page_title": "Registra la spesa sociale di un Comune", "ambito": ambito,
            "form": form, "nav": "spending", "back_url": spending_url(ambito),
        }, status=status)

    def get(self, request, ambito):
        ambito = ambito_for_spending(request.user, ambito, edit=True)
        initial = {}
        municipality = request.GET.get("comune")
        year = request.GET.get("anno")
        if municipality and municipality.isdigit() and year and year.isdigit():
            known = MunicipalSpending.objects.filter(
                municipality__ambito=ambito, municipality_id=int(municipality),
                year=int(year)).first()
            initial = {"municipality": int(municipality), "year": int(year)}
            if known is not None:
                initial.update(amount=known.amount, amount_single=known.amount_single,
                               amount_associated=known.amount_associated)
            people = PopulationFigure.objects.filter(
                municipality__ambito=ambito, municipality_id=int(municipality),
                year=int(year)).values_list("value", flat=True).first()
            if people:
                initial["population"] = people
        return self.render(request, ambito, SpendingForm(ambito=ambito, initial=initial))

    def post(self, request, ambito):
        ambito = ambito_for_spending(request.user, ambito, edit=True)
        form = SpendingForm(request.POST, ambito=ambito)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    spending = spending_save(user=request.user, reason=data.get("reason") or "",
                                             **form.values())
                    if data.get("population"):
                        _save_population(spending, data["population"], request.user,
                                         data.get("reason") or "")
            except ValidationError as exc:
                form.apply_service_error(exc)
            else:
                messages.success(request, f"Spesa sociale {spending.year} di "
                                          f"{spending.municipality.name} registrata.")
                return redirect(spending_url(ambito, spending.year))
        return self.render(request, ambito, form, status=400)


def _save_population(spending, value, user, reason):
    figure = PopulationFigure.objects.filter(
        municipality=spending.municipality, year=spending.year).first()
    if figure is not None and figure.value == value:
        return
    figure = figure or PopulationFigure(municipality=spending.municipality, year=spending.year)
    figure.value = value
    figure._history_user = user
    figure._change_reason = reason or "Popolazione registrata con la spesa sociale"
    figure.save()


class SpendingImportView(ImportPageMixin, PageAccessMixin, View):
    template_name = "planning/spending_import.html"
    resource_class = MunicipalSpendingResource
    kind = "spesa-sociale-comuni"

    def import_scope(self):
        self.ambito = ambito_for_spending(self.request.user, self.kwargs["ambito"], edit=True)
        return {"ambito": self.ambito}, f"ambito:{self.ambito.pk}"

    def page_context(self):
        years = spending_years(ambito=self.ambito)
        return {"page_title": f"Importa la spesa sociale dei Comuni – {self.ambito.name}",
                "ambito": self.ambito, "nav": "spending",
                "template_year": years[-1] if years else None,
                "back_url": spending_url(self.ambito)}

    def done_url(self):
        return redirect(spending_url(self.ambito))


class SpendingExportView(PageAccessMixin, View):
    """The spreadsheet to send to the Comuni: one row per Comune of the ambito for ``year``,
    filled in where the figure is recorded, with the columns the import reads."""

    def get(self, request, ambito, year, fmt):
        ambito = ambito_for_spending(request.user, ambito)
        if not 1990 <= year <= 2100:
            raise Http404("Anno non valido.")
        resource = MunicipalSpendingResource(user=request.user)
        rows = resource.rows_for_year(ambito=ambito, year=year)
        return resource.export_response(rows, fmt=fmt,
                                        filename=f"spesa-sociale-{ambito.slug}-{year}")
