"""The quarterly page: every indicator of the user's objectives for one rilevazione."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import ngettext
from django.views import View

from core.concurrency import ConflictError
from core.entry.access import (
    PageAccessMixin,
    plan_context,
    policy_for,
    quarter_page_mode,
    scoped_or_403,
)
from core.entry.imports import ImportPageMixin
from objectives.models import OperatingPlan

from .entry_forms import MeasurementForm, MilestoneForm
from .entry_selectors import entry_objectives, quarter_entries
from .models import Indicator
from .periods import QUARTERS, current_quarter, quarter_end
from .resources import MeasurementResource
from .services import quarter_save


class QuarterPageMixin(PageAccessMixin):
    """Every role of the ambito reads the quarterly figures; who may write them, and on
    which plan, is core/entry/access.py's quarter_page_mode."""

    def load(self):
        user = self.request.user
        self.plan = scoped_or_403(
            OperatingPlan.objects.select_related("zone_plan__ambito"), user, self.kwargs["pk"]
        )
        quarter = self.kwargs.get("quarter") or current_quarter(self.plan.year,
                                                                timezone.localdate())
        if quarter not in QUARTERS:
            raise Http404("Trimestre inesistente.")
        self.quarter = quarter
        self.period_end = quarter_end(self.plan.year, quarter)
        self.policy = policy_for(self.plan)
        self.mode = quarter_page_mode(user, self.plan)
        self.can_write = self.mode.writable

    def base_context(self, **extra):
        context = plan_context(self.request.user, self.plan, nav="quarter")
        context.update(
            policy=self.policy, quarter=self.quarter, period_end=self.period_end,
            quarters=[(q, quarter_end(self.plan.year, q)) for q in QUARTERS],
            can_write=self.can_write, mode=self.mode, **extra,
        )
        return context


class CurrentQuarterView(QuarterPageMixin, View):
    def get(self, request, pk):
        self.load()
        return redirect("indicators:quarter", pk=pk, quarter=self.quarter)


class QuarterEntryView(QuarterPageMixin, View):
    template_name = "indicators/quarter_entry.html"
    read_template_name = "indicators/quarter_read.html"

    def forms(self, page, data=None):
        editable = self.policy.monitoring_editable
        for group in page["groups"]:
            for entry in group.indicators:
                entry.form = MeasurementForm(data, entry=entry,
                                             editable=editable and entry.editable)
            group.milestone_forms = [
                MilestoneForm(data, milestone=m, editable=editable and can)
                for m, can in group.milestones
            ]
        return page

    def all_forms(self, page):
        for group in page["groups"]:
            yield from (entry.form for entry in group.indicators)
            yield from group.milestone_forms

    def refuse_foreign_rows(self, forms):
        """Values posted for rows the user may not edit are refused, not silently dropped."""
        editable = {
            form.prefix for form in forms
            if not all(field.disabled for name, field in form.fields.items() if name != "token")
        }
        posted = {"-".join(key.split("-")[:2]) for key in self.request.POST
                  if key[:2] in ("m-", "t-") and key.count("-") >= 2}
        if posted - editable:
            raise PermissionDenied("Alcuni dati riguardano indicatori che non puoi modificare.")

    def render(self, page, *, status=200, conflicts=(), errors=()):
        context = self.base_context(
            page_title=f"Rilevazioni al {self.period_end:%d/%m/%Y}",
            groups=page["groups"], earlier=page["earlier"], conflicts=conflicts,
            errors=errors,
        )
        template = self.template_name if self.can_write else self.read_template_name
        return TemplateResponse(self.request, template, context, status=status)

    def page(self, data=None):
        page = quarter_entries(plan=self.plan, user=self.request.user,
                               period_end=self.period_end)
        return self.forms(page, data)

    def get(self, request, pk, quarter=None):
        self.load()
        return self.render(self.page())

    def post(self, request, pk, quarter=None):
        self.load()
        if not self.can_write:
            raise PermissionDenied(self.mode.reason)
        page = self.page(request.POST)
        forms = list(self.all_forms(page))
        self.refuse_foreign_rows(forms)
        if not all(form.is_valid() for form in forms):
            return self.render(page, errors=["Nessun dato è stato salvato: correggi gli errori "
                                             "evidenziati."])
        measurements = [e.form.row() for g in page["groups"] for e in g.indicators
                        if e.editable and not e.form.fields["value"].disabled]
        milestones = [f.row() for g in page["groups"] for f in g.milestone_forms
                      if not f.fields["achieved"].disabled]
        try:
            result = quarter_save(plan=self.plan, period_end=self.period_end, user=request.user,
                                  measurements=measurements, milestones=milestones)
        except ConflictError as exc:
            data = request.POST.copy()
            by_key = {}
            for conflict in exc.conflicts:
                kind, pk_ = conflict.key
                data[f"{kind}-{pk_}-token"] = conflict.token
                by_key[f"{kind}-{pk_}"] = conflict
            page = self.page(data)
            for form in self.all_forms(page):
                form.is_valid()
                form.conflict = by_key.get(form.prefix)
            return self.render(page, status=409, conflicts=exc.conflicts)
        except ValidationError as exc:
            return self.render(page, errors=["Nessun dato è stato salvato.", *exc.messages])
        if result.saved or result.deleted or result.milestones:
            messages.success(
                request,
                "Salvato: "
                + ngettext("%(n)d rilevazione", "%(n)d rilevazioni", result.saved)
                % {"n": result.saved}
                + (ngettext(", %(n)d cancellata", ", %(n)d cancellate", result.deleted)
                   % {"n": result.deleted} if result.deleted else "")
                + ngettext(", %(n)d traguardo.", ", %(n)d traguardi.", result.milestones)
                % {"n": result.milestones},
            )
        else:
            messages.info(request, "Nessuna modifica da salvare.")
        return redirect("indicators:quarter", pk=self.plan.pk, quarter=self.quarter)


class MeasurementExportView(QuarterPageMixin, View):
    """The quarter's rows for every listed indicator, filled where a value exists."""

    def get(self, request, pk, quarter, fmt):
        self.load()
        objectives = entry_objectives(plan=self.plan, user=request.user)
        indicators = Indicator.objects.restrict(request.user).filter(objective__in=objectives)
        resource = MeasurementResource(user=request.user, plan=self.plan,
                                       period_end=self.period_end)
        rows = resource.rows_for_quarter(indicators=indicators, period_end=self.period_end)
        filename = f"rilevazioni-{self.period_end:%Y-%m-%d}"
        return resource.export_response(rows, fmt=fmt, filename=filename)


class MeasurementImportView(ImportPageMixin, QuarterPageMixin, View):
    template_name = "indicators/measurement_import.html"
    resource_class = MeasurementResource
    kind = "measurements"

    def import_scope(self):
        self.load()
        if not self.can_write:
            raise PermissionDenied(self.mode.reason)
        return {"plan": self.plan}, f"plan:{self.plan.pk}"

    def page_context(self):
        return self.base_context(page_title=f"Importa le rilevazioni del {self.plan.year}")

    def done_url(self):
        return redirect("indicators:quarter", pk=self.plan.pk, quarter=self.quarter)


