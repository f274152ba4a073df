"""Destinazione dell'avanzo: the Assemblea's decision on where a closed year's avanzo goes.

The closing computes the avanzo of a year (``budget.surplus``): that is the **proposal**.
The Ufficio di Piano records the **destination** the Assemblea decides: rows of amount,
vincolato or not, fund, where the money comes from (objective / action of the closed
plan) and where it goes (an action of the next plan, or non vincolato), and why. It
starts from the proposal and is re-assigned freely; it must add up to the avanzo di
gestione to be approved (with its act), and only an approved destination lets the
year close (``budget.services.year_close``). The closing turns each row into one
"Avanzo gestionale N" entrata of the next plan, linked to its action.

A destination loaded from a document (``from_document``, the seed's Tab. 3) keeps the
rows as printed even when they do not add up: the difference is shown wherever the
destination appears. ``destination_approve`` never lets a difference through.

Reads (selectors) first, then writes (services: ``destination_<verb>``).
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from core import freeze
from core.formatting import format_euro
from objectives.models import Action, OperatingPlan
from objectives.services import (
    CLOSERS,
    deliberation_problems,
    require_role,
    save_with_history,
)

from .models import FundingAllocation, FundingChannel, SurplusDestination, SurplusDestinationRow
from .surplus import surplus_preview

ZERO = Decimal("0.00")
CENT = Decimal("0.01")
INDISTINTO = "Fondo indistinto"
ROW_FIELDS = (
    "description", "amount", "restricted", "channel", "source_objective", "source_action",
    "target_action", "target_text", "reason",
)
TARGET_FIELDS = {"target_action", "target_text"}


# --- Reads ------------------------------------------------------------------------------------


def next_plan_of(*, plan):
    """The Piano Operativo of the year after ``plan`` in the same ambito (None: not yet)."""
    return OperatingPlan.objects.filter(
        zone_plan__ambito_id=plan.zone_plan.ambito_id, year=plan.year + 1
    ).first()


def target_actions(*, plan):
    """The actions a row of ``plan``'s destination may go to: those of the next plan."""
    next_plan = next_plan_of(plan=plan)
    if next_plan is None:
        return Action.objects.none()
    return Action.objects.filter(objective__plan=next_plan).select_related("objective").order_by(
        "objective__number", "number"
    )


def source_actions(*, plan):
    return Action.objects.filter(objective__plan=plan).select_related("objective").order_by(
        "objective__number", "number"
    )


def destination_of(*, plan):
    return SurplusDestination.objects.filter(plan=plan).first()


def destination_rows(*, destination):
    return destination.rows.select_related(
        "channel", "source_objective", "source_action__objective", "target_action__objective"
    ).order_by("position", "pk")


def balance_message(*, total, avanzo):
    """Italian words for rows adding up to ``total`` against the avanzo ("" if equal)."""
    if total == avanzo:
        return ""
    gap = avanzo - total
    if gap > 0:
        return (
            f"Le righe della destinazione sommano {format_euro(total)} a fronte di un avanzo "
            f"di gestione di {format_euro(avanzo)}: mancano {format_euro(gap)}."
        )
    return (
        f"Le righe della destinazione sommano {format_euro(total)} a fronte di un avanzo "
        f"di gestione di {format_euro(avanzo)}: le superano di {format_euro(-gap)}."
    )


@dataclass
class FundDifference:
    """Per fund (None: fondo indistinto), what the proposal and the destination assign."""

    channel: FundingChannel | None
    proposal: Decimal = ZERO
    destination: Decimal = ZERO

    @property
    def label(self):
        return self.channel.code if self.channel is not None else INDISTINTO

    @property
    def difference(self):
        return self.destination - self.proposal


@dataclass
class DestinationSummary:
    """A destination beside the proposal: totals, per-fund differences, the balance."""

    plan: OperatingPlan
    destination: SurplusDestination | None
    preview: object
    rows: list = field(default_factory=list)
    funds: list = field(default_factory=list)

    @property
    def avanzo(self):
        """Avanzo di gestione (entrate − spese of the closed year)."""
        return self.preview.total

    @property
    def total(self):
        return sum((r.amount for r in self.rows), ZERO)

    @property
    def restricted(self):
        return sum((r.amount for r in self.rows if r.restricted), ZERO)

    @property
    def unrestricted(self):
        return sum((r.amount for r in self.rows if not r.restricted), ZERO)

    @property
    def difference(self):
        """Rows − avanzo di gestione (positive: the rows exceed it)."""
        return self.total - self.avanzo

    @property
    def missing(self):
        return max(-self.difference, ZERO)

    @property
    def exceeding(self):
        return max(self.difference, ZERO)

    @property
    def balanced(self):
        return self.difference == 0

    @property
    def balance_message(self):
        return balance_message(total=self.total, avanzo=self.avanzo)

    @property
    def reconciliation_note(self):
        """The difference a destination loaded from a document keeps as printed ("" if none)."""
        if self.destination is None or not self.destination.from_document or self.balanced:
            return ""
        return (
            f"Destinazione riportata come stampata nel documento: le sue righe sommano "
            f"{format_euro(self.total)}, l'avanzo di gestione è {format_euro(self.avanzo)} "
            f"(differenza di riconciliazione {format_euro(self.difference)})."
        )

    @property
    def proposal_restricted(self):
        return self.preview.restricted

    @property
    def proposal_unrestricted(self):
        return self.preview.unrestricted


def fund_differences(*, preview, rows):
    """Per fund, the proposal's avanzo and the destination's rows, in fund code order."""
    funds = {}

    def entry(channel):
        key = channel.pk if channel is not None else None
        if key not in funds:
            funds[key] = FundDifference(channel)
        return funds[key]

    for row in preview.rows:
        entry(row.channel).proposal += row.amount
    for row in rows:
        entry(row.channel).destination += row.amount
    return sorted(funds.values(), key=lambda f: (f.channel is None, f.label))


def destination_summary(*, plan, preview=None):
    preview = preview or surplus_preview(plan=plan)
    destination = destination_of(plan=plan)
    rows = list(destination_rows(destination=destination)) if destination else []
    return DestinationSummary(
        plan=plan, destination=destination, preview=preview, rows=rows,
        funds=fund_differences(preview=preview, rows=rows),
    )


def closing_problems(*, plan, preview):
    """What the destination lacks for ``plan``'s year to close (empty: it may close)."""
    destination = destination_of(plan=plan)
    if destination is None or destination.state != SurplusDestination.State.APPROVED:
        return [
            f"La destinazione dell'avanzo {plan.year} non è approvata: registrarla e "
            "approvarla con il suo atto prima di chiudere l'anno."
        ]
    total = sum(destination.rows.values_list("amount", flat=True), ZERO)
    if total != preview.total and not destination.from_document:
        return [
            balance_message(total=total, avanzo=preview.total)
            + " L'avanzo è cambiato dopo l'approvazione: riaprire la destinazione, "
            "correggerla e riapprovarla."
        ]
    return []


# --- Writes -----------------------------------------------------------------------------------


def _require_staff(plan, user, doing="registrare la destinazione dell'avanzo"):
    if user is not None:
        require_role(user=user, ambito=plan.zone_plan.ambito, roles=CLOSERS, doing=doing)


def _lock(destination):
    return (
        SurplusDestination.objects.select_for_update(of=("self",))
        .select_related("plan__zone_plan__ambito").get(pk=destination.pk)
    )


def _require_editable(destination, fields=None):
    """Refuse a change the state of the destination does not allow.

    Bozza: every change, while the year is open. Approvata (or year closed): only where a
    row goes (its target), e.g. to link "azioni previste nel PO 2019" to the actions of
    the new plan once it exists.
    """
    plan = destination.plan
    only_target = fields is not None and set(fields) <= TARGET_FIELDS
    if only_target:
        return
    if plan.state == OperatingPlan.State.CLOSED:
        raise ValidationError(
            f"Il {plan.title} è chiuso: la destinazione del suo avanzo non si modifica più "
            "(si può solo collegare una riga all'azione del piano successivo)."
        )
    if destination.state == SurplusDestination.State.APPROVED:
        raise ValidationError(
            "La destinazione è approvata: per modificarla riaprirla (tornerà in bozza e "
            "andrà riapprovata con il suo atto)."
        )


def _money(value):
    if value in (None, ""):
        raise ValidationError({"amount": "Indicare l'importo."})
    try:
        amount = Decimal(str(value))
    except ArithmeticError as exc:
        raise ValidationError({"amount": "L'importo non è valido."}) from exc
    if not amount.is_finite():
        raise ValidationError({"amount": "L'importo non è valido."})
    if amount != amount.quantize(CENT):
        raise ValidationError({"amount": "L'importo ha al massimo due decimali."})
    if amount <= 0:
        raise ValidationError({"amount": "L'importo deve essere maggiore di zero."})
    return amount.quantize(CENT)


def _clean_row(plan, values):
    """Check and normalise a row's values (field → Italian error at that field)."""
    errors = {}
    ambito_id = plan.zone_plan.ambito_id
    if "description" in values:
        values["description"] = (values["description"] or "").strip()[:400]
        if not values["description"]:
            errors["description"] = "Indicare la descrizione della riga."
    if "amount" in values:
        try:
            values["amount"] = _money(values["amount"])
        except ValidationError as exc:
            errors.update(exc.message_dict)
    channel = values.get("channel")
    if channel is not None and channel.ambito_id != ambito_id:
        errors["channel"] = f"Il fondo {channel.label} non appartiene all'{plan.zone_plan.ambito}."
    source_action = values.get("source_action")
    source_objective = values.get("source_objective")
    if source_action is not None:
        if source_action.objective.plan_id != plan.pk:
            errors["source_action"] = f"L'azione di provenienza non è del {plan.title}."
        elif source_objective is not None and source_action.objective_id != source_objective.pk:
            errors["source_action"] = (
                f"L'azione di provenienza non appartiene all'Obiettivo {source_objective.number}."
            )
        else:
            values["source_objective"] = source_action.objective
    if source_objective is not None and source_objective.plan_id != plan.pk:
        errors["source_objective"] = f"L'obiettivo di provenienza non è del {plan.title}."
    target = values.get("target_action")
    if target is not None:
        next_plan = next_plan_of(plan=plan)
        if next_plan is None or target.objective.plan_id != next_plan.pk:
            errors["target_action"] = (
                f"L'azione destinataria deve essere del Piano Operativo {plan.year + 1} "
                f"dell'{plan.zone_plan.ambito}."
            )
    if "target_text" in values:
        values["target_text"] = (values["target_text"] or "").strip()[:300]
    if "reason" in values:
        values["reason"] = (values["reason"] or "").strip()
    if values.get("restricted") is False and target is not None:
        errors["target_action"] = (
            "Una riga non vincolata non va su un'azione: è applicata liberamente nel piano "
            "successivo. Indicare «vincolato» o togliere l'azione."
        )
    if errors:
        raise ValidationError(errors)
    return values


def _row_from_proposal(row, position, next_actions, plan):
    target = None
    if row.restricted and row.action is not None:
        target = next_actions.get((row.objective.number, row.action.number))
    return SurplusDestinationRow(
        description=row.description[:400], amount=row.amount, restricted=row.restricted,
        channel=row.channel, source_objective=row.objective, source_action=row.action,
        target_action=target, position=position,
        reason="Dalla proposta calcolata alla chiusura.",
        target_text="" if target or not row.restricted
        else f"Da destinare nel Piano Operativo {plan.year + 1}",
    )


def _next_actions(plan):
    return {(a.objective.number, a.number): a for a in target_actions(plan=plan)}


@transaction.atomic
def destination_start(*, plan, user, replace=False):
    """A draft destination made of the proposal's rows (``replace``: start a draft over)."""
    plan = OperatingPlan.objects.select_related("zone_plan__ambito").get(pk=plan.pk)
    _require_staff(plan, user)
    if plan.state != OperatingPlan.State.APPROVED:
        raise ValidationError(
            f"Il {plan.title} è {plan.get_state_display().lower()}: la destinazione "
            "dell'avanzo si registra per un piano approvato e non ancora chiuso."
        )
    destination = destination_of(plan=plan)
    if destination is not None:
        destination = _lock(destination)
        if not replace:
            raise ValidationError("La destinazione dell'avanzo di questo anno esiste già.")
        _require_editable(destination)
        for row in list(destination.rows.all()):
            row._change_reason = "Destinazione ripartita dalla proposta"
            if user is not None:
                row._history_user = user
            row.delete()
    else:
        destination = SurplusDestination(plan=plan)
        save_with_history(destination, user=user, reason="Destinazione dalla proposta")
    preview = surplus_preview(plan=plan)
    next_actions = _next_actions(plan)
    for position, proposed in enumerate(preview.rows):
        row = _row_from_proposal(proposed, position, next_actions, plan)
        row.destination = destination
        save_with_history(row, user=user, reason="Riga dalla proposta calcolata")
    return destination


@transaction.atomic
def destination_row_add(*, destination, user, description, amount, restricted=True,
                        channel=None, source_objective=None, source_action=None,
                        target_action=None, target_text="", reason=""):
    destination = _lock(destination)
    _require_staff(destination.plan, user)
    _require_editable(destination)
    values = _clean_row(destination.plan, {
        "description": description, "amount": amount, "restricted": bool(restricted),
        "channel": channel, "source_objective": source_objective,
        "source_action": source_action, "target_action": target_action,
        "target_text": target_text, "reason": reason,
    })
    last = destination.rows.order_by("-position").values_list("position", flat=True).first()
    row = SurplusDestinationRow(
        destination=destination, position=(last or 0) + 1, **values
    )
    save_with_history(row, user=user, reason=values["reason"] or "Nuova riga di destinazione")
    return row


@transaction.atomic
def destination_row_update(*, row, user, **fields):
    """Change a row (every field in bozza; only where it goes once approved or closed)."""
    unknown = set(fields) - set(ROW_FIELDS)
    if unknown:
        raise ValueError(f"campi non modificabili: {sorted(unknown)}")
    row = SurplusDestinationRow.objects.select_for_update(of=("self",)).get(pk=row.pk)
    destination = _lock(row.destination)
    _require_staff(destination.plan, user)
    changed = {name: value for name, value in fields.items() if getattr(row, name) != value}
    if not changed:
        return row
    _require_editable(destination, changed)
    current = {name: getattr(row, name) for name in ROW_FIELDS}
    values = _clean_row(destination.plan, {**current, **changed})
    for name in changed:
        setattr(row, name, values[name])
    if "source_action" in changed:
        row.source_objective = values["source_objective"]
    reason = (fields.get("reason") or "").strip() if "reason" in changed else ""
    save_with_history(row, user=user, reason=reason or "Modifica della destinazione dell'avanzo")
    if TARGET_FIELDS & set(changed):
        # Entrate already carried into the next plan follow their row.
        with freeze.allow(freeze.CLOSING):
            for allocation in FundingAllocation.objects.filter(destination_row=row):
                allocation.action = row.target_action
                save_with_history(allocation, user=user,
                                  reason="Azione destinataria dell'avanzo")
    return row


@transaction.atomic
def destination_row_remove(*, row, user):
    row = SurplusDestinationRow.objects.select_for_update(of=("self",)).get(pk=row.pk)
    destination = _lock(row.destination)
    _require_staff(destination.plan, user)
    _require_editable(destination)
    row._change_reason = "Riga eliminata dalla destinazione"
    if user is not None:
        row._history_user = user
    row.delete()


@transaction.atomic
def destination_link_targets(*, destination, user):
    """Link every vincolato row without an action to the next plan's action with the number
    of the action it comes from (Obiettivo 8 - Azione 5 → Obiettivo 8 - Azione 5 of N+1).
    Returns how many rows were linked."""
    destination = _lock(destination)
    _require_staff(destination.plan, user)
    next_actions = _next_actions(destination.plan)
    if not next_actions:
        raise ValidationError(
            f"Il Piano Operativo {destination.plan.year + 1} non esiste o non ha azioni: "
            "crearlo prima di collegare le righe."
        )
    linked = 0
    rows = destination_rows(destination=destination).filter(
        restricted=True, target_action__isnull=True, source_action__isnull=False
    )
    for row in rows:
        target = next_actions.get((row.source_action.objective.number, row.source_action.number))
        if target is not None:
            destination_row_update(row=row, user=user, target_action=target)
            linked += 1
    return linked


@transaction.atomic
def destination_approve(*, destination, deliberation, user):
    """bozza → approvata, with the Assemblea's act. The rows must add up to the avanzo di
    gestione to the cent (refused otherwise, saying by how much)."""
    destination = _lock(destination)
    plan = destination.plan
    _require_staff(plan, user, doing="approvare la destinazione dell'avanzo")
    if plan.state != OperatingPlan.State.APPROVED:
        raise ValidationError(
            f"Il {plan.title} è {plan.get_state_display().lower()}: si approva la destinazione "
            "dell'avanzo solo di un piano approvato e non ancora chiuso."
        )
    if destination.state == SurplusDestination.State.APPROVED:
        raise ValidationError("La destinazione è già approvata.")
    summary = destination_summary(plan=plan)
    problems = []
    if not summary.rows:
        problems.append("La destinazione non ha righe.")
    elif not summary.balanced:
        problems.append(summary.balance_message)
    problems += deliberation_problems(
        deliberation, ambito=plan.zone_plan.ambito, approves=None, assembly=True, act=False
    )
    if deliberation is not None and deliberation.date and deliberation.date.year < plan.year:
        problems.append(
            f"L'atto {deliberation} è anteriore al {plan.year}: non può approvare la "
            f"destinazione dell'avanzo {plan.year}."
        )
    if problems:
        raise ValidationError(problems)
    destination.state = SurplusDestination.State.APPROVED
    destination.deliberation = deliberation
    destination.approved_at = timezone.now()
    destination.approved_by = user
    save_with_history(destination, user=user,
                      reason=f"Destinazione dell'avanzo approvata con {deliberation}")
    return destination


@transaction.atomic
def destination_reopen(*, destination, user):
    """approvata → bozza, to correct it before the year closes (to be approved again)."""
    destination = _lock(destination)
    plan = destination.plan
    _require_staff(plan, user)
    if plan.state == OperatingPlan.State.CLOSED:
        raise ValidationError(f"Il {plan.title} è chiuso: la destinazione non si riapre.")
    if destination.state != SurplusDestination.State.APPROVED:
        raise ValidationError("La destinazione è già in bozza.")
    destination.state = SurplusDestination.State.DRAFT
    destination.deliberation = None
    destination.approved_at = None
    destination.approved_by = None
    save_with_history(destination, user=user, reason="Destinazione riaperta per modifiche")
    return destination


def destination_carry(*, destination, next_plan, user, reason):
    """Next plan's "Avanzo gestionale N" entrate, one per row, linked to row and action.

    Rows already carried (an entrata points to them) are skipped: carrying twice adds
    nothing. Returns the entrate written.
    """
    plan = destination.plan
    start = FundingAllocation.objects.filter(
        ambito_id=plan.zone_plan.ambito_id, year=next_plan.year
    ).count()
    written = []
    rows = destination_rows(destination=destination).exclude(allocations__isnull=False)
    for offset, row in enumerate(rows):
        kind = "vincolato" if row.restricted else "non vincolato"
        fund = row.channel.code if row.channel else INDISTINTO
        note = f"Dalla destinazione dell'avanzo del {plan.title} ({kind}, {fund})."
        if row.target_action is None and row.target_text:
            note += f" Destinazione indicata: {row.target_text}."
        allocation = FundingAllocation(
            ambito_id=plan.zone_plan.ambito_id, zone_plan=next_plan.zone_plan,
            operating_plan=next_plan, year=next_plan.year,
            stage=FundingAllocation.Stage.PLANNED, kind=FundingAllocation.Kind.SURPLUS,
            group="Avanzo gestionale",
            label=f"Avanzo gestionale {plan.year} - {row.description}"[:300],
            channel=row.channel, restricted=row.restricted, amount=row.amount,
            action=row.target_action, destination_row=row, note=note,
            position=start + offset,
        )
        save_with_history(allocation, user=user, reason=reason)
        written.append(allocation)
    return written


def destination_carry_forward(*, plan, user):
    """Carry the approved destination of a closed ``plan`` into the next plan (when the
    plan was closed before the next one existed, e.g. a seed loaded closed)."""
    _require_staff(plan, user)
    destination = destination_of(plan=plan)
    next_plan = next_plan_of(plan=plan)
    if plan.state != OperatingPlan.State.CLOSED or destination is None or next_plan is None:
        raise ValidationError(
            "Si riporta la destinazione di un anno chiuso, approvata, nel piano dell'anno "
            "dopo già esistente."
        )
    if destination.state != SurplusDestination.State.APPROVED:
        raise ValidationError(f"La destinazione dell'avanzo {plan.year} non è approvata.")
    with transaction.atomic(), freeze.allow(freeze.CLOSING):
        return destination_carry(destination=destination, next_plan=next_plan, user=user,
                                 reason=f"Avanzo del {plan.title}")
