"""The acts of an ambito: register, list and search, and what each one is linked to.

The Ufficio di Piano registers acts; the Assemblea, the referenti and the revisori read
them and open their PDF; acts of other ambiti do not exist for the user (404).
"""

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views import View

from budget.models import Variation
from core.entry.access import PageAccessMixin, require_plan_reader
from core.roles import VIEW
from governance.models import Ambito, Deliberation
from governance.services import REGISTRARS, deliberation_create
from objectives.models import OperatingPlan, ZonePlan
from objectives.services import user_holds

from .forms_acts import ActForm, ActSearchForm


def scoped_or_404(queryset, user, pk):
    """The object ``pk`` if ``user`` reads it; other ambiti's objects do not exist (404)."""
    obj = queryset.restrict(user, VIEW).filter(pk=pk).first()
    if obj is None:
        raise Http404("Pagina non trovata.")
    return obj


def ambito_or_404(user, slug):
    ambito = Ambito.objects.restrict(user, VIEW).filter(slug=slug).first()
    if ambito is None:
        raise Http404("Ambito non trovato.")
    require_plan_reader(user, ambito.pk)
    return ambito


def act_or_404(user, pk):
    act = (
        Deliberation.objects.restrict(user, VIEW).select_related("ambito", "body")
        .filter(pk=pk).first()
    )
    if act is None:
        raise Http404("Atto non trovato.")
    require_plan_reader(user, act.ambito_id)
    return act


def act_links(act):
    """What ``act`` approves or is cited by: plans, Piani di Zona, variations, destinations."""
    links = {
        "approved_plans": OperatingPlan.objects.filter(approval=act).order_by("year"),
        "closed_plans": OperatingPlan.objects.filter(closing=act).order_by("year"),
        "zone_plans": ZonePlan.objects.filter(approval=act).order_by("start_year"),
        "variations": Variation.objects.filter(deliberation=act)
        .select_related("plan", "line").order_by("created_at", "pk"),
        "destinations": [],
    }
    try:
        destination = apps.get_model("budget", "SurplusDestination")
    except LookupError:  # the destination of the avanzo is not installed
        destination = None
    if destination is not None:
        links["destinations"] = destination.objects.filter(deliberation=act).select_related(
            "plan"
        )
    links["any"] = any(
        links[k].exists() if hasattr(links[k], "exists") else bool(links[k])
        for k in ("approved_plans", "closed_plans", "zone_plans", "variations", "destinations")
    )
    return links


class ActListView(PageAccessMixin, View):
    template_name = "planning/acts/act_list.html"

    def get(self, request, ambito):
        ambito = ambito_or_404(request.user, ambito)
        search = ActSearchForm(request.GET or None)
        acts = search.filter(
            Deliberation.objects.filter(ambito=ambito).select_related("body")
            .order_by("-date", "-pk")
        )
        page = Paginator(acts, 50).get_page(request.GET.get("pagina"))
        query = request.GET.copy()
        query.pop("pagina", None)
        return TemplateResponse(request, self.template_name, {
            "page_title": f"Atti – {ambito.name}", "ambito": ambito, "search": search,
            "page": page, "query": query.urlencode(),
            "searched": search.is_bound, "nav": "acts",
            "may_register": user_holds(request.user, ambito, *REGISTRARS),
        })


class ActCreateView(PageAccessMixin, View):
    template_name = "planning/acts/act_form.html"

    def load(self, request, slug):
        ambito = ambito_or_404(request.user, slug)
        if not user_holds(request.user, ambito, *REGISTRARS):
            raise PermissionDenied("Solo l'Ufficio di Piano registra gli atti.")
        return ambito

    def render(self, request, ambito, form, status=200):
        return TemplateResponse(request, self.template_name, {
            "page_title": "Registra un atto", "ambito": ambito, "form": form, "nav": "acts",
        }, status=status)

    def get(self, request, ambito):
        ambito = self.load(request, ambito)
        return self.render(request, ambito, ActForm(ambito=ambito))

    def post(self, request, ambito):
        ambito = self.load(request, ambito)
        form = ActForm(request.POST, request.FILES, ambito=ambito)
        if form.is_valid():
            try:
                act = deliberation_create(
                    ambito=ambito, user=request.user, approves=form.cleaned_data["approves"],
                    **form.new_act_kwargs(),
                )
            except ValidationError as exc:
                form.apply_service_error(exc)
                form.style()
            else:
                messages.success(request, f"{act} registrato.")
                return redirect("planning:act_detail", pk=act.pk)
        return self.render(request, ambito, form, status=400)


class ActDetailView(PageAccessMixin, View):
    template_name = "planning/acts/act_detail.html"

    def get(self, request, pk):
        act = act_or_404(request.user, pk)
        return TemplateResponse(request, self.template_name, {
            "page_title": str(act), "act": act, "ambito": act.ambito, "nav": "acts",
            **act_links(act),
        })


class ActFileView(PageAccessMixin, View):
    """The attached PDF, only to those who may read the act (MEDIA_ROOT has no URL)."""

    def get(self, request, pk):
        act = act_or_404(request.user, pk)
        if not act.act:
            raise Http404("L'atto non ha un file allegato.")
        name = f"atto-{act.number or act.pk}.pdf".replace("/", "-")
        return FileResponse(act.act.open("rb"), as_attachment=False, filename=name,
                            content_type="application/pdf")
