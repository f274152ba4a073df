"""Staff pages of a plan: "Debiti informativi" (the returns, downloaded and recorded as
sent) and "Classificazione della spesa" (classify lines in bulk, with the reason).

Only the Ufficio di Piano of the ambito opens them (403 with the reason for the other
roles of the ambito); plans of other ambiti do not exist for the user (404). The figures
are the builder's and the classification selectors', never recomputed here.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import ngettext
from django.views import View

from budget.models import BudgetLine
from classification import selectors, services
from classification.models import Assignment, Dimension
from core.entry.access import PageAccessMixin, plan_context
from core.roles import VIEW, Role
from objectives.models import OperatingPlan
from objectives.services import user_holds

from . import builder, writers
from .models import ReturnTemplate, SentReturn
from .services import record_sent

PROPOSED, CONFIRMED = Assignment.Status.PROPOSED, Assignment.Status.CONFIRMED
FORBIDDEN = (
    "Solo l'Ufficio di Piano dell'ambito prepara i debiti informativi e classifica la spesa."
)
CONTENT_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
}


def staff_plan(user, pk):
    plan = (OperatingPlan.objects.restrict(user, VIEW).select_related("zone_plan__ambito")
            .filter(pk=pk).first())
    if plan is None:
        raise Http404("Piano non trovato.")
    if not user_holds(user, plan.zone_plan.ambito, Role.STAFF):
        raise PermissionDenied(FORBIDDEN)
    return plan


def templates_for(ambito):
    return ReturnTemplate.objects.filter(ambito__isnull=True) | ReturnTemplate.objects.filter(
        ambito=ambito)


class StaffPlanView(PageAccessMixin, View):
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not hasattr(self, request.method.lower()):
            return self.http_method_not_allowed(request, *args, **kwargs)
        self.plan = staff_plan(request.user, kwargs["pk"])
        self.ambito = self.plan.zone_plan.ambito
        return super().dispatch(request, *args, **kwargs)


class ReturnsView(StaffPlanView):
    def get(self, request, pk):
        items = []
        for template in templates_for(self.ambito).order_by("position", "key"):
            try:
                table = builder.build(template, ambiti=[self.ambito], year=self.plan.year)
                error = ""
            except builder.ReturnError as exc:
                table, error = None, str(exc)
            items.append({"template": template, "table": table, "error": error})
        sent = SentReturn.objects.filter(ambito=self.ambito, year=self.plan.year) \
            .select_related("template", "sent_by")
        lines = BudgetLine.objects.filter(action__objective__plan=self.plan)
        gap, total = selectors.unclassified_share(lines, dimension_code="area_utenza",
                                                  measure="consuntivo")
        return TemplateResponse(request, "returns/returns.html", {
            **plan_context(request.user, self.plan, nav="returns"),
            "page_title": "Debiti informativi",
            "items": items, "sent": sent, "gap": gap, "total": total,
        })


class ReturnDownloadView(StaffPlanView):
    def get(self, request, pk, key, fmt):
        if fmt not in writers.FORMATS:
            raise Http404("Formato non previsto.")
        template = templates_for(self.ambito).filter(key=key).order_by("ambito").last()
        if template is None:
            raise Http404("Modello non trovato.")
        try:
            table = builder.build(template, ambiti=[self.ambito], year=self.plan.year)
        except builder.ReturnError as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain; charset=utf-8")
        response = HttpResponse(writers.render(table, fmt), content_type=CONTENT_TYPES[fmt])
        name = f"{key}-{self.ambito.slug}-{self.plan.year}.{fmt}"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


class SendForm(forms.Form):
    template = forms.CharField(label="Modello")
    fmt = forms.ChoiceField(label="Formato", choices=[("xlsx", "xlsx"), ("csv", "csv")])
    note = forms.CharField(label="Nota (a chi, con quale protocollo)", required=False,
                           max_length=500)


class ReturnSendView(StaffPlanView):
    def post(self, request, pk):
        form = SendForm(request.POST)
        url = reverse("returns:returns", kwargs={"pk": self.plan.pk})
        if not form.is_valid():
            messages.error(request, "Indica il modello e il formato del debito inviato.")
            return redirect(url)
        template = templates_for(self.ambito).filter(key=form.cleaned_data["template"]).first()
        if template is None:
            messages.error(request, "Modello sconosciuto: nessun invio registrato.")
            return redirect(url)
        try:
            sent = record_sent(user=request.user, template=template, ambito=self.ambito,
                               year=self.plan.year, fmt=form.cleaned_data["fmt"],
                               note=form.cleaned_data["note"])
        except builder.ReturnError as exc:
            messages.error(request, f"{exc} Nessun invio registrato.")
            return redirect(url)
        messages.success(request, f"Invio registrato: {sent.template.name}, "
                                  f"conservato come inviato.")
        return redirect(url)


class SentFileView(StaffPlanView):
    def get(self, request, pk, sent):
        row = SentReturn.objects.filter(pk=sent, ambito=self.ambito).first()
        if row is None:
            raise Http404("Invio non trovato.")
        response = HttpResponse(row.file.read(), content_type="application/octet-stream")
        name = row.file.name.rsplit("/", 1)[-1]
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response


# --- Classification in bulk -----------------------------------------------------------


class ClassifyForm(forms.Form):
    dimension = forms.ModelChoiceField(Dimension.objects.all(), label="Dimensione",
                                       to_field_name="code")
    shares = forms.CharField(
        label="Codici e quote", max_length=300,
        help_text="Es. «FAM» oppure «FAM 60, DIS 40» (le quote sommano 100 %).",
    )
    reason = forms.CharField(label="Motivazione", max_length=500)
    lines = forms.ModelMultipleChoiceField(BudgetLine.objects.none(), label="Righe")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = BudgetLine.objects.filter(action__objective__plan=plan)

    def clean_shares(self):
        parts = [p.strip() for p in self.cleaned_data["shares"].split(",") if p.strip()]
        parsed = []
        for part in parts:
            bits = part.split()
            code = bits[0]
            share = bits[1].replace(",", ".").rstrip("%") if len(bits) > 1 else "100"
            parsed.append((code, share))
        if not parsed:
            raise ValidationError("Indica almeno un codice.")
        return parsed


def _filtered_lines(plan, params):
    lines = BudgetLine.objects.filter(action__objective__plan=plan).select_related(
        "action__objective", "channel").order_by(
        "action__objective__number", "action__number", "position")
    if params.get("obiettivo", "").isdigit():
        lines = lines.filter(action__objective__number=int(params["obiettivo"]))
    if params.get("canale"):
        lines = lines.filter(channel__code=params["canale"])
    if params.get("testo"):
        lines = lines.filter(item__icontains=params["testo"])
    return lines


class ConfirmForm(forms.Form):
    dimension = forms.ModelChoiceField(Dimension.objects.all(), label="Dimensione",
                                       to_field_name="code")
    reason = forms.CharField(label="Motivazione", max_length=500)
    lines = forms.ModelMultipleChoiceField(BudgetLine.objects.none(), label="Righe")

    def __init__(self, *args, plan, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["lines"].queryset = BudgetLine.objects.filter(action__objective__plan=plan)


def effective_assignments(lines, dimension):
    """The assignments that classify ``lines`` in ``dimension``: a line's own, else its
    action's."""
    own = set(Assignment.objects.filter(line__in=lines, dimension=dimension)
              .values_list("line_id", flat=True))
    inherited = {line.action_id for line in lines if line.pk not in own}
    return Assignment.objects.filter(dimension=dimension).filter(
        Q(line_id__in=own) | Q(action_id__in=inherited, line__isnull=True))


class ClassifyView(StaffPlanView):
    def confirm(self, request):
        form = ConfirmForm(request.POST, plan=self.plan)
        if not form.is_valid():
            messages.error(request, "Per confermare scegli almeno una riga e indica la "
                                    "motivazione: nulla è stato confermato.")
            return redirect(request.get_full_path())
        data = form.cleaned_data
        with transaction.atomic():
            count = services.confirm(
                user=request.user,
                assignments=effective_assignments(list(data["lines"]), data["dimension"]),
                reason=data["reason"])
        text = ngettext("Confermata %(n)d classificazione proposta (%(d)s).",
                        "Confermate %(n)d classificazioni proposte (%(d)s).", count)
        messages.success(request, text % {"n": count, "d": data["dimension"].name})
        return redirect(request.get_full_path())

    def context(self, request, form):
        dimension = request.GET.get("dimensione") or "area_utenza"
        lines = _filtered_lines(self.plan, request.GET)
        effective = selectors.effective_assignments(lines, dimension)
        rows = []
        for line in lines:
            found = effective.get(line.pk) or {"own": False, "assignments": []}
            assignments = found["assignments"]
            status = (None if not assignments else CONFIRMED if all(
                a.status == CONFIRMED for a in assignments) else PROPOSED)
            rows.append({
                "line": line, "own": found["own"], "assignments": assignments,
                "status": status,
                "reasons": list(dict.fromkeys(a.reason for a in assignments
                                              if a.status == PROPOSED and a.reason)),
            })
        proposed = sum(1 for r in rows if r["status"] == PROPOSED)
        wanted = request.GET.get("stato")
        if request.GET.get("solo_non_classificate"):
            rows = [r for r in rows if r["status"] is None]
        elif wanted in (PROPOSED, CONFIRMED):
            rows = [r for r in rows if r["status"] == wanted]
        all_lines = BudgetLine.objects.filter(action__objective__plan=self.plan)
        gap, total = selectors.unclassified_share(all_lines, dimension_code=dimension,
                                                  measure="consuntivo")
        return {
            **plan_context(request.user, self.plan, nav="classify"),
            "page_title": "Classificazione della spesa",
            "form": form, "rows": rows, "dimension": dimension,
            "dimensions": Dimension.objects.prefetch_related("codes"),
            "gap": gap, "total": total, "params": request.GET, "proposed": proposed,
            "statuses": Assignment.Status.choices,
        }

    def get(self, request, pk):
        form = ClassifyForm(plan=self.plan,
                            initial={"dimension": request.GET.get("dimensione") or "area_utenza"})
        return TemplateResponse(request, "returns/classify.html", self.context(request, form))

    def post(self, request, pk):
        if request.POST.get("conferma"):
            return self.confirm(request)
        form = ClassifyForm(request.POST, plan=self.plan)
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    for line in data["lines"].select_related("action__objective__plan"):
                        services.classify(
                            user=request.user, action=line.action, line=line,
                            dimension=data["dimension"], shares=data["shares"],
                            reason=data["reason"], status=CONFIRMED,
                        )
            except ValidationError as exc:
                form.add_error("shares", exc.messages[0])
            else:
                count = len(data["lines"])
                text = ngettext("Classificata %(n)d riga (%(d)s).",
                                "Classificate %(n)d righe (%(d)s).", count)
                messages.success(request, text % {"n": count, "d": data["dimension"].name})
                return redirect(request.get_full_path())
        return TemplateResponse(request, "returns/classify.html", self.context(request, form),
                                status=400)
