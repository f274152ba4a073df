"""The closing of the year from the plan page: proposal, destination, approval, closing.

The page shows the avanzo the closing computes (the proposal, budget/surplus.py) and
the destination the Assemblea decides (budget/destination.py): staff start it from the
proposal, edit, add, remove and re-assign rows, approve it with its act, and then close
the year (budget/services.py year_close). Only the Ufficio di Piano of the plan's
ambito writes (every form and button answers the others 403 with the reason); every other
role of the ambito reads the page as it stands, without its controls: the avanzo, the
destination, its act and the history. Plans of other ambiti do not exist for them (404).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.views import View

from budget.destination import (
    destination_approve,
    destination_link_targets,
    destination_reopen,
    destination_row_add,
    destination_row_remove,
    destination_row_update,
    destination_start,
    destination_summary,
    next_plan_of,
)
from budget.models import SurplusDestination, SurplusDestinationRow
from budget.services import year_close
from budget.surplus import group_by_objective, year_close_preview
from core.entry.access import PageAccessMixin, plan_context, require_plan_reader, role_page_mode
from core.roles import VIEW
from governance.services import deliberation_create
from objectives.models import OperatingPlan
from objectives.services import CLOSERS, user_holds

from .forms_closing import (
    APPROVES,
    DestinationApprovalForm,
    DestinationRowForm,
    YearCloseForm,
)

FORBIDDEN = "Solo l'Ufficio di Piano dell'ambito registra la destinazione e chiude l'anno."
READER_REASON = ("La destinazione dell'avanzo la registra e l'anno lo chiude l'Ufficio di Piano "
                 "dell'ambito: il tuo ruolo consente di consultarle.")


def plan_for_closing(user, pk, *, write=True):
    """The plan (404 outside the user's ambiti); 403 to whoever may not close it when
    ``write``, else to whoever has no role in its ambito."""
    plan = (
        OperatingPlan.objects.restrict(user, VIEW).select_related("zone_plan__ambito")
        .filter(pk=pk).first()
    )
    if plan is None:
        raise Http404("Piano non trovato.")
    if not write:
        require_plan_reader(user, plan.zone_plan.ambito_id)
    elif not user_holds(user, plan.zone_plan.ambito, *CLOSERS):
        raise PermissionDenied(FORBIDDEN)
    return plan


def row_for_closing(user, pk):
    row = (
        SurplusDestinationRow.objects.restrict(user, VIEW)
        .select_related("destination__plan__zone_plan__ambito").filter(pk=pk).first()
    )
    if row is None:
        raise Http404("Riga non trovata.")
    plan_for_closing(user, row.destination.plan_id)
    return row


def _history(destination):
    """Every change of the destination and its rows, newest first (who, when, what, why)."""
    if destination is None:
        return []
    records = [
        (r.history_date, r.history_user, "Destinazione", r.get_state_display(),
         r.history_change_reason or "")
        for r in destination.history.select_related("history_user").all()
    ]
    kinds = {"+": "creata", "~": "modificata", "-": "eliminata"}
    for r in (SurplusDestinationRow.history.filter(destination_id=destination.pk)
              .select_related("history_user")):
        records.append((r.history_date, r.history_user,
                        f"Riga «{r.description}» ({kinds.get(r.history_type, '')})",
                        r.amount, r.history_change_reason or ""))
    return sorted(records, key=lambda rec: rec[0], reverse=True)


class ClosingView(PageAccessMixin, View):
    template_name = "planning/closing/closing.html"

    def render(self, request, plan, *, approve_form=None, close_form=None, status=200):
        preview = year_close_preview(plan=plan)
        summary = destination_summary(plan=plan, preview=preview)
        destination = summary.destination
        mode = role_page_mode(request.user, plan.zone_plan.ambito, CLOSERS, READER_REASON)
        context = plan_context(request.user, plan, nav="plan")
        context.update(
            mode=mode, may_write=mode.writable,
            page_title=f"Chiusura dell'anno {plan.year}", preview=preview, summary=summary,
            destination=destination, by_objective=group_by_objective(preview),
            next_plan=next_plan_of(plan=plan), history=_history(destination)[:50],
            open_year=plan.state == OperatingPlan.State.APPROVED,
            approve_form=approve_form or DestinationApprovalForm(plan=plan),
            close_form=close_form or YearCloseForm(initial={"expected_total": preview.total}),
            editable=(mode.writable and destination is not None
                      and plan.state == OperatingPlan.State.APPROVED
                      and destination.state == SurplusDestination.State.DRAFT),
        )
        return TemplateResponse(request, self.template_name, context, status=status)

    def get(self, request, pk):
        return self.render(request, plan_for_closing(request.user, pk, write=False))


def _refused(request, exc):
    for text in getattr(exc, "messages", [str(exc)]):
        messages.error(request, text)


class DestinationStartView(PageAccessMixin, View):
    def post(self, request, pk):
        plan = plan_for_closing(request.user, pk)
        try:
            destination_start(plan=plan, user=request.user,
                              replace=request.POST.get("replace") == "1")
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Destinazione avviata dalla proposta calcolata.")
        return redirect("planning:closing", pk=plan.pk)


class DestinationLinkView(PageAccessMixin, View):
    def post(self, request, pk):
        plan = plan_for_closing(request.user, pk)
        destination = SurplusDestination.objects.filter(plan=plan).first()
        if destination is None:
            raise Http404("Destinazione non trovata.")
        try:
            linked = destination_link_targets(destination=destination, user=request.user)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"Righe collegate alle azioni del Piano Operativo "
                                      f"{plan.year + 1}: {linked}.")
        return redirect("planning:closing", pk=plan.pk)


class DestinationReopenView(PageAccessMixin, View):
    def post(self, request, pk):
        plan = plan_for_closing(request.user, pk)
        destination = SurplusDestination.objects.filter(plan=plan).first()
        if destination is None:
            raise Http404("Destinazione non trovata.")
        try:
            destination_reopen(destination=destination, user=request.user)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, "Destinazione riaperta: dopo le modifiche va "
                                      "riapprovata con il suo atto.")
        return redirect("planning:closing", pk=plan.pk)


class DestinationApproveView(ClosingView):
    def get(self, request, pk):
        return redirect("planning:closing", pk=pk)

    def post(self, request, pk):
        plan = plan_for_closing(request.user, pk)
        destination = SurplusDestination.objects.filter(plan=plan).first()
        if destination is None:
            raise Http404("Destinazione non trovata.")
        form = DestinationApprovalForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                with transaction.atomic():
                    if form.cleaned_data["mode"] == "existing":
                        act = form.cleaned_data["existing"]
                    else:
                        act = deliberation_create(
                            ambito=plan.zone_plan.ambito, user=request.user, approves=APPROVES,
                            roles=CLOSERS, **form.new_act_kwargs(),
                        )
                    destination_approve(destination=destination, deliberation=act,
                                        user=request.user)
            except ValidationError as exc:
                form.apply_service_error(exc)
                form.style()
            else:
                messages.success(request, f"Destinazione dell'avanzo approvata con {act}.")
                return redirect("planning:closing", pk=plan.pk)
        return self.render(request, plan, approve_form=form, status=400)


class YearCloseView(ClosingView):
    def get(self, request, pk):
        return redirect("planning:closing", pk=pk)

    def post(self, request, pk):
        plan = plan_for_closing(request.user, pk)
        form = YearCloseForm(request.POST)
        if form.is_valid():
            try:
                result = year_close(plan=plan, user=request.user,
                                    expected_total=form.cleaned_data["expected_total"])
            except ValidationError as exc:
                for text in exc.messages:
                    form.add_error(None, text)
            else:
                if result.already_closed:
                    messages.info(request, f"Il {plan.title} era già chiuso: nessuna modifica.")
                else:
                    created = " (creato in bozza)" if result.created_next_plan else ""
                    messages.success(
                        request, f"{plan.title} chiuso. L'avanzo entra nel "
                        f"{result.next_plan.title}{created}.")
                return redirect("objectives:plan_detail", pk=plan.pk)
        return self.render(request, plan, close_form=form, status=400)


class RowFormView(PageAccessMixin, View):
    template_name = "planning/closing/row_form.html"

    def render(self, request, plan, form, row=None, status=200):
        context = plan_context(request.user, plan, nav="plan")
        context.update(
            page_title=("Modifica della riga" if row else "Nuova riga") + " della destinazione",
            form=form, row=row, next_plan=next_plan_of(plan=plan),
            only_target=row is not None and (
                row.destination.state == SurplusDestination.State.APPROVED
                or plan.state != OperatingPlan.State.APPROVED),
        )
        return TemplateResponse(request, self.template_name, context, status=status)


class RowCreateView(RowFormView):
    def destination(self, plan):
        destination = SurplusDestination.objects.filter(plan=plan).first()
        if destination is None:
            raise Http404("Destinazione non trovata: avviarla dalla proposta.")
        return destination

    def get(self, request, pk):
        plan = plan_for_closing(request.user, pk)
        self.destination(plan)
        return self.render(request, plan, DestinationRowForm(plan=plan))

    def post(self, request, pk):
        plan = plan_for_closing(request.user, pk)
        destination = self.destination(plan)
        form = DestinationRowForm(request.POST, plan=plan)
        if form.is_valid():
            try:
                destination_row_add(destination=destination, user=request.user,
                                    **form.service_values())
            except ValidationError as exc:
                form.apply_service_error(exc)
            else:
                messages.success(request, "Riga aggiunta alla destinazione.")
                return redirect("planning:closing", pk=plan.pk)
        return self.render(request, plan, form, status=400)


class RowUpdateView(RowFormView):
    def initial(self, row):
        return {
            "description": row.description, "amount": row.amount,
            "restricted": "1" if row.restricted else "0", "channel": row.channel_id,
            "source_action": row.source_action_id, "target_action": row.target_action_id,
            "target_text": row.target_text, "reason": "",
        }

    def get(self, request, pk):
        row = row_for_closing(request.user, pk)
        plan = row.destination.plan
        return self.render(request, plan, DestinationRowForm(plan=plan, initial=self.initial(row)),
                           row=row)

    def post(self, request, pk):
        row = row_for_closing(request.user, pk)
        plan = row.destination.plan
        form = DestinationRowForm(request.POST, plan=plan, initial=self.initial(row))
        if form.is_valid():
            values = form.service_values()
            changed = {name: values[name] for name in form.changed_data if name in values}
            if changed and values.get("reason"):
                changed["reason"] = values["reason"]
            try:
                destination_row_update(row=row, user=request.user, **changed)
            except ValidationError as exc:
                form.apply_service_error(exc)
            else:
                messages.success(request, "Riga della destinazione aggiornata.")
                return redirect("planning:closing", pk=plan.pk)
        return self.render(request, plan, form, row=row, status=400)


class RowDeleteView(PageAccessMixin, View):
    template_name = "planning/closing/row_delete.html"

    def get(self, request, pk):
        row = row_for_closing(request.user, pk)
        plan = row.destination.plan
        context = plan_context(request.user, plan, nav="plan")
        context.update(page_title="Eliminazione di una riga della destinazione", row=row)
        return TemplateResponse(request, self.template_name, context)

    def post(self, request, pk):
        row = row_for_closing(request.user, pk)
        plan = row.destination.plan
        try:
            destination_row_remove(row=row, user=request.user)
        except ValidationError as exc:
            _refused(request, exc)
        else:
            messages.success(request, f"Riga «{row.description}» eliminata dalla destinazione.")
        return redirect("planning:closing", pk=plan.pk)
