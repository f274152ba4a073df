"""Writes on money: budget lines, variations, the consuntivo and the year-end closing.

A draft plan's lines are edited freely by the Ufficio di Piano. Once the plan is
approved its preventivo changes only through a variation (with its act), the
consuntivo is entered line by line, and closing the year turns what is left into
avanzo rows and into next year's entrate. Overspending is checked on entry: each
fund says whether it is only warned about or refused (``overspend_policy``).
"""

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from core import freeze
from core.formatting import format_euro
from governance.models import Deliberation
from objectives.models import OperatingPlan
from objectives.services import (
    CLOSERS,
    deliberation_problems,
    next_zone_plan,
    require_role,
    save_with_history,
)

from .guards import frozen_message, variation_in_progress
from .models import BudgetLine, FundingAllocation, FundingChannel, Surplus, Variation
from .selectors import funding_by_channel, funding_stage
from .surplus import surplus_preview

ZERO = Decimal("0.00")
EDITORS = CLOSERS  # the Ufficio di Piano


@dataclass(frozen=True)
class EntryResult:
    """A written line and the overspending warnings its figures raised."""

    line: BudgetLine
    warnings: list


def _plan_of(line_or_action):
    action = getattr(line_or_action, "action", line_or_action)
    return OperatingPlan.objects.select_related("zone_plan__ambito").get(
        objectives__actions=action
    )


def _money(value, what):
    if value is None:
        raise ValidationError(f"Indicare {what}.")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except ArithmeticError as exc:
        raise ValidationError(f"{what.capitalize()} non è un importo valido.") from exc
    if amount < 0:
        raise ValidationError(f"{what.capitalize()} non può essere negativo.")
    return amount


# --- Overspending ---------------------------------------------------------------------------


def budget_line_entry_problems(*, line, preventivo, consuntivo, channel):
    """The overspending that new figures of ``line`` would cause.

    Only what the entry makes worse is reported: a consuntivo above the line's
    preventivo; a fund whose impegni (preventivo of its lines) pass its planned entrate;
    a fund whose spese pass its entrate accertate. Raises ValidationError when the fund
    of the line refuses overspending; returns the warnings otherwise. Lines with no
    fund are paid by the fondo indistinto, which only warns.
    """
    old_preventivo = line.preventivo if line.pk else ZERO
    old_consuntivo = (line.consuntivo or ZERO) if line.pk else ZERO
    moved = line.pk is None or line.channel_id != (channel.pk if channel else None)
    spent = consuntivo or ZERO
    problems = []
    raised = spent > old_consuntivo or preventivo < old_preventivo or line.pk is None
    if consuntivo is not None and consuntivo > preventivo and raised:
        problems.append(
            f"La spesa di «{line}» ({format_euro(consuntivo)}) supera il preventivo "
            f"({format_euro(preventivo)}) di {format_euro(consuntivo - preventivo)}."
        )
    if channel is not None:
        plan = _plan_of(line)
        others = BudgetLine.objects.filter(action__objective__plan=plan, channel=channel)
        if line.pk:
            others = others.exclude(pk=line.pk)
        committed = sum(others.values_list("preventivo", flat=True), ZERO) + preventivo
        total_spent = sum(
            (v or ZERO for v in others.values_list("consuntivo", flat=True)), ZERO
        ) + spent
        stages = FundingAllocation.Stage
        planned = funding_by_channel(
            plan=plan, stage=funding_stage(plan=plan, prefer=stages.PLANNED)
        ).get(channel.pk, ZERO)
        actual = funding_by_channel(
            plan=plan, stage=funding_stage(plan=plan, prefer=stages.ACTUAL)
        ).get(channel.pk, ZERO)
        if committed > planned and (moved or preventivo > old_preventivo):
            problems.append(
                f"Gli impegni sul fondo {channel.code} ({format_euro(committed)}) superano "
                f"le sue entrate ({format_euro(planned)}) di {format_euro(committed - planned)}."
            )
        if total_spent > actual and (moved or spent > old_consuntivo):
            problems.append(
                f"Le spese sul fondo {channel.code} ({format_euro(total_spent)}) superano le "
                f"sue entrate ({format_euro(actual)}) di {format_euro(total_spent - actual)}."
            )
    if problems and channel is not None and (
        channel.overspend_policy == FundingChannel.OverspendPolicy.REFUSE
    ):
        raise ValidationError(
            problems + [f"Il fondo {channel.code} non ammette spese oltre il previsto."]
        )
    return problems


# --- Lines of a draft plan ------------------------------------------------------------------


def _require_draft(plan):
    if plan.is_frozen:
        raise ValidationError(frozen_message(plan))


@transaction.atomic
def budget_line_create(*, action, user, item, preventivo, note="", channel=None):
    plan = _plan_of(action)
    require_role(user=user, ambito=plan.zone_plan.ambito, roles=EDITORS,
                 doing="modificare il budget")
    _require_draft(plan)
    line = BudgetLine(action=action, item=item, note=note, channel=channel,
                      preventivo=_money(preventivo, "il preventivo"),
                      position=action.lines.count())
    warnings = budget_line_entry_problems(
        line=line, preventivo=line.preventivo, consuntivo=None, channel=channel
    )
    save_with_history(line, user=user, reason="Nuova riga di budget")
    return EntryResult(line, warnings)


@transaction.atomic
def budget_line_update(*, line, user, **fields):
    """Change voce, nota, fund or preventivo of a line of a draft plan."""
    allowed = {"item", "note", "channel", "preventivo"}
    if set(fields) - allowed:
        raise ValueError(f"campi non modificabili: {sorted(set(fields) - allowed)}")
    line = BudgetLine.objects.select_for_update(of=("self",)).get(pk=line.pk)
    plan = _plan_of(line)
    require_role(user=user, ambito=plan.zone_plan.ambito, roles=EDITORS,
                 doing="modificare il budget")
    _require_draft(plan)
    if "preventivo" in fields:
        fields["preventivo"] = _money(fields["preventivo"], "il preventivo")
    warnings = budget_line_entry_problems(
        line=line, preventivo=fields.get("preventivo", line.preventivo),
        consuntivo=line.consuntivo, channel=fields.get("channel", line.channel),
    )
    for name, value in fields.items():
        setattr(line, name, value)
    save_with_history(line, user=user, reason="Modifica del budget in bozza")
    return EntryResult(line, warnings)


@transaction.atomic
def budget_line_set_consuntivo(*, line, amount, user):
    """Enter what a line spent in the year (the plan must be approved and not closed)."""
    line = (
        BudgetLine.objects.select_for_update(of=("self",)).select_related("channel")
        .get(pk=line.pk)
    )
    plan = _plan_of(line)
    require_role(user=user, ambito=plan.zone_plan.ambito, roles=EDITORS,
                 doing="inserire il consuntivo")
    if plan.state != OperatingPlan.State.APPROVED:
        raise ValidationError(
            f"Il {plan.title} è {plan.get_state_display().lower()}: il consuntivo si inserisce "
            "solo in un piano approvato e non ancora chiuso."
        )
    amount = None if amount is None else _money(amount, "il consuntivo")
    warnings = budget_line_entry_problems(
        line=line, preventivo=line.preventivo, consuntivo=amount, channel=line.channel
    )
    line.consuntivo = amount
    save_with_history(line, user=user, reason="Inserimento del consuntivo")
    return EntryResult(line, warnings)


# --- Variations -------------------------------------------------------------------------------


def _variation_problems(*, plan, reason, deliberation):
    problems = []
    if plan.state != OperatingPlan.State.APPROVED:
        problems.append(
            f"Il {plan.title} è {plan.get_state_display().lower()}: le variazioni si registrano "
            "solo su un piano approvato (in bozza il budget si modifica direttamente)."
        )
    if not (reason or "").strip():
        problems.append("Indicare la motivazione della variazione.")
    problems += deliberation_problems(
        deliberation, ambito=plan.zone_plan.ambito, approves=None, assembly=False, act=False,
        not_before=plan.year, not_after=plan.year + 1,
    )
    return problems


def variation_check(*, line, new_amount, reason, deliberation, user):
    """Validate a variation without writing it; returns the overspending warnings."""
    plan = _plan_of(line)
    require_role(user=user, ambito=plan.zone_plan.ambito, roles=EDITORS,
                 doing="registrare variazioni")
    problems = _variation_problems(plan=plan, reason=reason, deliberation=deliberation)
    new_amount = _money(new_amount, "il nuovo preventivo")
    if line.pk and new_amount == line.preventivo:
        problems.append("Il nuovo preventivo è uguale a quello attuale: nessuna variazione.")
    if problems:
        raise ValidationError(problems)
    return budget_line_entry_problems(
        line=line, preventivo=new_amount, consuntivo=line.consuntivo, channel=line.channel
    )


def _subject(line):
    action = line.action
    return (
        f"Preventivo di «{line}» (Obiettivo {action.objective.number}, "
        f"Azione {action.number})"
    )


@transaction.atomic
def variation_create(*, line, new_amount, reason, deliberation, user):
    """Change the preventivo of a line of an approved plan: the variation keeps from → to,
    why and the approving act, so the approved figure stays visible."""
    line = BudgetLine.objects.select_for_update(of=("self",)).select_related(
        "action__objective", "channel"
    ).get(pk=line.pk)
    variation_check(line=line, new_amount=new_amount, reason=reason,
                    deliberation=deliberation, user=user)
    new_amount = _money(new_amount, "il nuovo preventivo")
    variation = Variation(
        plan=_plan_of(line), line=line, subject=_subject(line),
        previous_amount=line.preventivo, new_amount=new_amount, reason=reason.strip(),
        deliberation=deliberation, created_by=user,
    )
    line.preventivo = new_amount
    with variation_in_progress():
        save_with_history(variation, user=user,
                          reason=f"Variazione approvata con {deliberation}")
        save_with_history(line, user=user, reason=f"Variazione: {reason.strip()}")
    return variation


@transaction.atomic
def variation_add_line(*, action, item, amount, reason, deliberation, user, note="",
                       channel=None):
    """A new voce in an approved plan: a line at 0 and its variation 0 → amount."""
    probe = BudgetLine(action=action, item=item, note=note, channel=channel)
    variation_check(line=probe, new_amount=amount, reason=reason,
                    deliberation=deliberation, user=user)
    line = BudgetLine(action=action, item=item, note=note, channel=channel,
                      preventivo=ZERO, position=action.lines.count())
    with variation_in_progress():
        save_with_history(line, user=user,
                          reason=f"Nuova voce per variazione: {reason.strip()}")
    return variation_create(line=line, new_amount=amount, reason=reason,
                            deliberation=deliberation, user=user)


# --- Year-end closing -----------------------------------------------------------------------


@dataclass(frozen=True)
class YearCloseResult:
    plan: OperatingPlan
    next_plan: OperatingPlan | None
    preview: object
    created_next_plan: bool = False
    already_closed: bool = False


@transaction.atomic
def year_close(*, plan, user, deliberation=None, expected_total=None):
    """approvato → chiuso: record the avanzo and carry its destination into next year.

    The staff first look at ``budget.surplus.year_close_preview`` (the proposal) and record
    the Assemblea's destination (``budget.destination``); the year closes only once the
    destination is approved. ``expected_total`` is the avanzo they saw: the closing refuses
    if the figures changed since. The computed avanzo rows (``Surplus``, per objective and
    action) are kept for the reports and the API; each destination row becomes one
    "Avanzo gestionale N" entrata of the next plan, linked to its action. The next plan is
    the one that exists, else a new empty bozza (the closing never copies the structure).
    A plan already closed is left as it is (closing twice changes nothing).
    """
    from .destination import closing_problems, destination_carry, destination_of

    plan = (
        OperatingPlan.objects.select_for_update(of=("self",))
        .select_related("zone_plan__ambito").get(pk=plan.pk)
    )
    ambito = plan.zone_plan.ambito
    if user is not None:
        require_role(user=user, ambito=ambito, roles=CLOSERS, doing="chiudere l'anno")
    if plan.state == OperatingPlan.State.CLOSED:
        next_plan = OperatingPlan.objects.filter(
            zone_plan__ambito=ambito, year=plan.year + 1
        ).first()
        return YearCloseResult(plan, next_plan, None, already_closed=True)
    if plan.state != OperatingPlan.State.APPROVED:
        raise ValidationError(
            f"Il {plan.title} è in bozza: si chiude l'anno solo di un piano approvato."
        )
    preview = surplus_preview(plan=plan)
    problems = list(preview.errors)
    if Surplus.objects.filter(plan=plan).exists():
        problems.append(
            f"Il {plan.title} ha già righe di avanzo registrate: eliminarle prima di chiudere."
        )
    if expected_total is not None and Decimal(str(expected_total)) != preview.total:
        problems.append(
            f"I dati sono cambiati dopo l'anteprima: l'avanzo ora è "
            f"{format_euro(preview.total)} e non {format_euro(expected_total)}. "
            "Rivedere l'anteprima."
        )
    if deliberation is not None:
        problems += deliberation_problems(
            deliberation, ambito=ambito, approves=Deliberation.Subject.FINAL_REPORT, act=False
        )
    problems += closing_problems(plan=plan, preview=preview)
    next_plan = OperatingPlan.objects.filter(zone_plan__ambito=ambito, year=plan.year + 1).first()
    zone_plan = None
    if next_plan is None:
        zone_plan = next_zone_plan(ambito=ambito, year=plan.year + 1, prefer=plan.zone_plan)
        if zone_plan is None:
            problems.append(
                f"Nessun Piano di Zona dell'{ambito} copre il {plan.year + 1}: crearlo prima "
                "di chiudere l'anno (l'avanzo entra nel Piano Operativo dell'anno dopo)."
            )
    if problems:
        raise ValidationError(problems)

    created = next_plan is None
    if created:
        next_plan = OperatingPlan(
            zone_plan=zone_plan, year=plan.year + 1, title=f"Piano Operativo {plan.year + 1}",
            state=OperatingPlan.State.DRAFT, action_numbering=plan.action_numbering,
        )
        save_with_history(next_plan, user=user,
                          reason=f"Creato vuoto dalla chiusura del {plan.title}")
    # The closing writes into the approved plan (its avanzo, its state) and the next one.
    with freeze.allow(freeze.CLOSING):
        reason = f"Chiusura del {plan.title}"
        for position, row in enumerate(preview.rows):
            save_with_history(Surplus(
                plan=plan, objective=row.objective, action=row.action,
                description=row.description[:400], channel=row.channel,
                restricted=row.restricted, amount=row.amount, position=position,
            ), user=user, reason=reason)
        destination_carry(
            destination=destination_of(plan=plan), next_plan=next_plan, user=user, reason=reason
        )
        plan.state = OperatingPlan.State.CLOSED
        if deliberation is not None:
            plan.closing = deliberation
        save_with_history(plan, user=user,
                          reason=f"Anno chiuso: avanzo {format_euro(preview.total)}")
    return YearCloseResult(plan, next_plan, preview, created_next_plan=created)


def ensure_can_close(*, plan, user):
    """PermissionDenied unless ``user`` may close ``plan``'s year (the admin's preview)."""
    if user is not None:
        require_role(user=user, ambito=plan.zone_plan.ambito, roles=CLOSERS,
                     doing="chiudere l'anno")
