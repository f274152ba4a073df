"""Pages of the plan's structure: objectives, actions, referenti, indicators, ranges,
milestones and narrative sections, edited by the Ufficio di Piano on a plan in bozza.

Who sees what: the Ufficio di Piano of the ambito edits; referenti, the Assemblea and the
revisori read the same pages without the controls (the forms answer them 403 with the
reason); other ambiti do not exist here (404). Views stay thin: every write is a service of
objectives/structure.py or indicators/structure.py.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views import View

from core.concurrency import ConflictError
from core.entry.access import (
    PageAccessMixin,
    plan_context,
    policy_for,
    require_plan_reader,
)
from core.roles import VIEW
from indicators import structure as indicator_services
from indicators.models import EvaluationCriterion, Indicator, Milestone
from objectives import structure as services
from objectives.models import Action, Objective, OperatingPlan, Referent
from objectives.services import user_holds
from reports.markup import split_body

from . import forms_structure as forms

EDITOR_REFUSAL = "Solo l'Ufficio di Piano dell'ambito modifica la struttura del piano."


def visible_or_404(queryset, user, pk):
    """The object if the user's ambiti hold it; any other ambito's object does not exist."""
    obj = queryset.restrict(user, VIEW).filter(pk=pk).first()
    if obj is None:
        raise Http404("Pagina non trovata.")
    return obj


class StructureMixin(PageAccessMixin):
    """Loads the plan behind the URL and decides what the user may do with it."""

    editing = False  # a page that only exists to change something

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied as refusal:
            # The reason, in Italian, on the app's own page (the default 403 page is bare).
            plan = getattr(self, "plan", None)
            context = plan_context(request.user, plan, nav="plan") if plan else {}
            context.update(page_title="Accesso non consentito",
                           reason=str(refusal) or "Non hai accesso a questa pagina.")
            return TemplateResponse(request, "planning/structure/forbidden.html", context,
                                    status=403)

    def setup_plan(self, plan):
        user = self.request.user
        self.plan = plan
        self.ambito = plan.zone_plan.ambito
        require_plan_reader(user, self.ambito.pk)
        self.is_editor = user_holds(user, self.ambito, *services.EDITORS)
        self.problem = services.structure_problem(plan)
        self.can_edit = self.is_editor and not self.problem
        if self.editing and not self.is_editor:
            raise PermissionDenied(EDITOR_REFUSAL)

    def load_plan(self, pk):
        plan = visible_or_404(OperatingPlan.objects.select_related("zone_plan__ambito"),
                              self.request.user, pk)
        self.setup_plan(plan)
        return plan

    def load_objective(self, pk):
        objective = visible_or_404(
            Objective.objects.select_related("plan__zone_plan__ambito"), self.request.user, pk)
        self.setup_plan(objective.plan)
        self.objective = objective
        return objective

    def refuse_frozen(self):
        """A form of a plan no longer in bozza: back to the structure with the reason."""
        messages.error(self.request, self.problem)
        return redirect(self.back_url())

    def back_url(self):
        objective = getattr(self, "objective", None)
        if objective is not None:
            return reverse("planning:structure_objective", args=[objective.pk])
        return reverse("planning:structure", args=[self.plan.pk])

    def context(self, **extra):
        context = plan_context(self.request.user, self.plan, nav="plan")
        context.update(policy=policy_for(self.plan), can_edit=self.can_edit,
                       is_editor=self.is_editor, structure_problem=self.problem,
                       structure_url=reverse("planning:structure", args=[self.plan.pk]),
                       **extra)
        return context

    def render(self, template, status=200, **extra):
        return TemplateResponse(self.request, f"planning/structure/{template}",
                                self.context(**extra), status=status)


def put_errors(form, error):
    """A service's ValidationError back at the form's fields (the rest above the form)."""
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)


def conflict_response(view, form, error, template, **extra):
    data = form.data.copy()
    data["token"] = error.conflicts[0].token  # saving again overwrites knowingly
    form.data = data
    return view.render(template, status=409, form=form.mark_errors(),
                       conflicts=error.conflicts, **extra)


# ---------------------------------------------------------------- read pages


class PlanStructureView(StructureMixin, View):
    def get(self, request, pk):
        plan = self.load_plan(pk)
        objectives = list(Objective.objects.filter(plan=plan).order_by("number")
                          .prefetch_related("actions"))
        return self.render(
            "plan.html", page_title=f"Struttura del piano – {plan.title}",
            objectives=objectives, sections=list(services.plan_sections(plan=plan)),
            numbering_note=forms.NUMBERING_NOTE.get(plan.action_numbering, ""),
        )


class ObjectiveStructureView(StructureMixin, View):
    def get(self, request, pk):
        objective = self.load_objective(pk)
        return self.render(
            "objective.html", page_title=f"Struttura dell'obiettivo {objective.number}",
            objective=objective,
            actions=objective.actions.order_by("number"),
            referents=objective.referents.select_related("organisation", "user")
            .order_by("position", "pk"),
            indicators=Indicator.objects.filter(objective=objective).select_related("action")
            .order_by("position", "pk"),
            ranges=EvaluationCriterion.objects.filter(objective=objective)
            .order_by("position", "pk"),
            milestones=Milestone.objects.filter(objective=objective).select_related("action")
            .order_by("position", "pk"),
            numbering_note=forms.NUMBERING_NOTE.get(self.plan.action_numbering, ""),
        )


# ---------------------------------------------------------------- what each kind is

KINDS = {
    "obiettivi": dict(
        model=Objective, form=forms.ObjectiveForm, fields=services.OBJECTIVE_FIELDS,
        create=services.objective_create, update=services.objective_update,
        delete=services.objective_delete, move=services.objective_move, arg="objective",
        add_title="Nuovo obiettivo", confirm=True,
        label=lambda o: f"l'obiettivo {o.number}",
    ),
    "azioni": dict(
        model=Action, form=forms.ActionForm, fields=services.ACTION_FIELDS,
        create=services.action_create, update=services.action_update,
        delete=services.action_delete, move=services.action_move, arg="action",
        add_title="Nuova azione", confirm=True, anchor="azioni",
        label=lambda o: f"l'azione {o.number}",
    ),
    "referenti": dict(
        model=Referent, form=forms.ReferentForm, fields=services.REFERENT_FIELDS,
        create=services.referent_create, update=services.referent_update,
        delete=services.referent_delete, move=services.referent_move, arg="referent",
        add_title="Nuovo referente", anchor="referenti",
        label=lambda o: f"il referente {o.name}",
    ),
    "indicatori": dict(
        model=Indicator, form=forms.IndicatorForm, fields=indicator_services.INDICATOR_FIELDS,
        create=indicator_services.indicator_create, update=indicator_services.indicator_update,
        delete=indicator_services.indicator_delete, move=indicator_services.indicator_move,
        arg="indicator", add_title="Nuovo indicatore", anchor="indicatori",
        label=lambda o: f"l'indicatore «{str(o)[:60]}»",
    ),
    "range": dict(
        model=EvaluationCriterion, form=forms.RangeForm, fields=indicator_services.RANGE_FIELDS,
        create=indicator_services.evaluation_range_create,
        update=indicator_services.evaluation_range_update,
        delete=indicator_services.evaluation_range_delete,
        move=indicator_services.evaluation_range_move, arg="criterion",
        add_title="Nuovo range di valutazione", anchor="range",
        label=lambda o: f"il range «{str(o)[:60]}»",
    ),
    "traguardi": dict(
        model=Milestone, form=forms.MilestoneForm, fields=indicator_services.MILESTONE_FIELDS,
        create=indicator_services.milestone_create, update=indicator_services.milestone_update,
        delete=indicator_services.milestone_delete, move=indicator_services.milestone_move,
        arg="milestone", add_title="Nuovo traguardo", anchor="traguardi",
        label=lambda o: f"il traguardo «{str(o)[:60]}»",
    ),
}


def initial_of(obj, fields):
    initial = {name: getattr(obj, name) for name in fields}
    if "user" in initial:
        initial["referent_user"] = initial.pop("user")
    return initial


class KindMixin(StructureMixin):
    editing = True

    def setup_kind(self, kind):
        if kind not in KINDS:
            raise Http404("Pagina non trovata.")
        self.kind_name = kind
        self.kind = KINDS[kind]

    def form_kwargs(self):
        if self.kind_name == "obiettivi":
            return {"plan": self.plan}
        if self.kind_name == "referenti":
            return {"plan": self.plan}
        if self.kind_name in ("indicatori", "traguardi"):
            return {"objective": self.objective}
        return {}

    def load_item(self, pk):
        obj = visible_or_404(self.kind["model"].objects.all(), self.request.user, pk)
        if isinstance(obj, Objective):
            self.load_objective(obj.pk)
        else:
            self.load_objective(obj.objective_id)
        return obj

    def back_url(self):
        if self.kind_name == "obiettivi":
            return reverse("planning:structure", args=[self.plan.pk])
        url = reverse("planning:structure_objective", args=[self.objective.pk])
        return f"{url}#{self.kind.get('anchor', '')}"

    def service_values(self, form):
        values = form.values()
        values.pop("position", None)
        return values


class ItemCreateView(KindMixin, View):
    """A new objective (of a plan) or a new row of an objective."""

    def load(self, kind, pk):
        self.setup_kind(kind)
        if kind == "obiettivi":
            self.load_plan(pk)
            self.parent = {"plan": self.plan}
        else:
            self.parent = {"objective": self.load_objective(pk)}

    def form(self, data=None):
        kwargs = self.form_kwargs()
        if self.kind_name == "obiettivi":
            kwargs["objectives"] = list(Objective.objects.filter(plan=self.plan)
                                        .order_by("number"))
        return self.kind["form"](data, **kwargs)

    def show(self, form, status=200):
        return self.render("form.html", status=status, form=form.mark_errors(),
                           page_title=self.kind["add_title"], heading=self.kind["add_title"],
                           submit="Aggiungi", cancel_url=self.back_url(),
                           objective=getattr(self, "objective", None))

    def get(self, request, kind, pk):
        self.load(kind, pk)
        if self.problem:
            return self.refuse_frozen()
        return self.show(self.form())

    def post(self, request, kind, pk):
        self.load(kind, pk)
        form = self.form(request.POST)
        if not form.is_valid():
            return self.show(form)
        values = form.values()
        if "referent_user" in values:
            values["referent_user"] = values.pop("referent_user")
        try:
            created = self.kind["create"](user=request.user, **self.parent, **values)
        except ValidationError as error:
            put_errors(form, error)
            return self.show(form)
        label = self.kind["label"](created)
        messages.success(request, f"Aggiunto al piano: {label}.")
        return redirect(self.back_url())


class ItemUpdateView(KindMixin, View):
    def load(self, kind, pk):
        self.setup_kind(kind)
        self.item = self.load_item(pk)

    def show(self, form, status=200, **extra):
        heading = f"Modifica {self.kind['label'](self.item)}"
        return self.render("form.html", status=status, form=form.mark_errors(),
                           page_title=heading, heading=heading, submit="Salva le modifiche",
                           cancel_url=self.back_url(),
                           objective=getattr(self, "objective", None), **extra)

    def get(self, request, kind, pk):
        self.load(kind, pk)
        if self.problem:
            return self.refuse_frozen()
        initial = initial_of(self.item, self.kind["fields"])
        initial["token"] = services.token_of(self.item, self.kind["fields"])
        return self.show(self.kind["form"](initial=initial, **self.form_kwargs()))

    def post(self, request, kind, pk):
        self.load(kind, pk)
        form = self.kind["form"](request.POST, **self.form_kwargs())
        if not form.is_valid():
            return self.show(form)
        values = self.service_values(form)
        try:
            self.kind["update"](user=request.user, token=form.cleaned_data["token"],
                                **{self.kind["arg"]: self.item}, **values)
        except ConflictError as error:
            return conflict_response(self, form, error, "form.html",
                                     page_title="Modifica", heading="Modifica",
                                     submit="Salva le modifiche", cancel_url=self.back_url(),
                                     objective=getattr(self, "objective", None))
        except ValidationError as error:
            put_errors(form, error)
            return self.show(form)
        messages.success(request, "Modifiche salvate.")
        return redirect(self.back_url())


class ItemDeleteView(KindMixin, View):
    def load(self, kind, pk):
        self.setup_kind(kind)
        self.item = self.load_item(pk)

    def show(self, errors=(), status=200):
        impact = None
        if self.kind_name == "obiettivi":
            impact = services.delete_impact(objective=self.item)
        elif self.kind_name == "azioni":
            impact = services.delete_impact(action=self.item)
        label = self.kind["label"](self.item)
        return self.render("delete.html", status=status, item=self.item, label=label,
                           page_title=f"Elimina {label}", impact=impact, errors=errors,
                           cancel_url=self.back_url(), kind=self.kind_name,
                           objective=getattr(self, "objective", None))

    def get(self, request, kind, pk):
        self.load(kind, pk)
        if self.problem:
            return self.refuse_frozen()
        return self.show()

    def post(self, request, kind, pk):
        self.load(kind, pk)
        kwargs = {self.kind["arg"]: self.item}
        if self.kind.get("confirm"):
            kwargs["confirmed"] = request.POST.get("confirmed") == "1"
        label = self.kind["label"](self.item)
        back = self.back_url()
        try:
            self.kind["delete"](user=request.user, **kwargs)
        except ValidationError as error:
            return self.show(errors=error.messages, status=400)
        messages.success(request, f"Eliminato: {label}.")
        return redirect(back)


class ItemMoveView(KindMixin, View):
    def post(self, request, kind, pk):
        self.setup_kind(kind)
        item = self.load_item(pk)
        direction = request.POST.get("direction")
        if direction not in (services.UP, services.DOWN):
            raise Http404("Pagina non trovata.")
        try:
            self.kind["move"](user=request.user, direction=direction,
                              **{self.kind["arg"]: item})
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(self.back_url())


# ---------------------------------------------------------------- narrative sections


class SectionMixin(StructureMixin):
    editing = True

    def load(self, pk, section=None):
        self.load_plan(pk)
        self.section = None
        if section is not None:
            self.section = services.plan_sections(plan=self.plan).filter(pk=section).first()
            if self.section is None:
                raise Http404("Pagina non trovata.")

    def back_url(self):
        return reverse("planning:structure", args=[self.plan.pk]) + "#testi"


class SectionEditView(SectionMixin, View):
    """A narrative section: Markdown, with a preview rendered and sanitised as printed."""

    def show(self, form, *, preview=None, status=200, **extra):
        heading = (f"Modifica il testo «{self.section.title}»" if self.section
                   else "Nuovo testo del piano")
        return self.render("section_form.html", status=status, form=form.mark_errors(),
                           page_title=heading, heading=heading, preview=preview,
                           cancel_url=self.back_url(), section=self.section, **extra)

    def get(self, request, pk, section=None):
        self.load(pk, section)
        if self.problem:
            return self.refuse_frozen()
        initial = {}
        if self.section is not None:
            initial = initial_of(self.section, services.SECTION_FIELDS)
            initial["token"] = services.token_of(self.section, services.SECTION_FIELDS)
        return self.show(forms.SectionForm(initial=initial))

    def post(self, request, pk, section=None):
        self.load(pk, section)
        form = forms.SectionForm(request.POST)
        if not form.is_valid():
            return self.show(form)
        if "preview" in request.POST:
            if self.problem:
                return self.refuse_frozen()
            return self.show(form, preview=split_body(form.cleaned_data["body"]))
        values = form.values()
        try:
            if self.section is None:
                services.section_create(plan=self.plan, user=request.user, **values)
            else:
                services.section_update(plan=self.plan, section=self.section,
                                        user=request.user, token=form.cleaned_data["token"],
                                        **values)
        except ConflictError as error:
            return conflict_response(self, form, error, "section_form.html",
                                     page_title="Modifica il testo",
                                     heading="Modifica il testo", cancel_url=self.back_url(),
                                     section=self.section)
        except ValidationError as error:
            put_errors(form, error)
            return self.show(form)
        messages.success(request, "Testo salvato.")
        return redirect(self.back_url())


class SectionDeleteView(SectionMixin, View):
    def get(self, request, pk, section):
        self.load(pk, section)
        if self.problem:
            return self.refuse_frozen()
        label = f"il testo «{self.section.title}»"
        return self.render("delete.html", item=self.section, label=label,
                           page_title=f"Elimina {label}", cancel_url=self.back_url(),
                           kind="testi")

    def post(self, request, pk, section):
        self.load(pk, section)
        try:
            services.section_delete(plan=self.plan, section=self.section, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect(self.back_url())
        messages.success(request, f"Eliminato il testo «{self.section.title}».")
        return redirect(self.back_url())


class SectionMoveView(SectionMixin, View):
    def post(self, request, pk, section):
        self.load(pk, section)
        direction = request.POST.get("direction")
        if direction not in (services.UP, services.DOWN):
            raise Http404("Pagina non trovata.")
        try:
            services.section_move(plan=self.plan, section=self.section, user=request.user,
                                  direction=direction)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        return redirect(self.back_url())
