"""The avanzo of a year, as the closing computes it (reads only).

The rule, in the words of the Ufficio di Piano:

1. Avanzo di gestione = entrate dell'anno − spese a consuntivo. The entrate are the
   year's allocations (avanzo dell'anno precedente + entrate − entrate non applicate),
   the accertate (consuntivo) where recorded, else those of the preventivo.
2. Every budget line is paid by a fund. A line whose channel is a restricted fund
   (``FundingChannel.restricted``) is paid by that fund; every other line, with no
   channel or with an unrestricted one, is paid by the *fondo indistinto*.
3. The fondo indistinto holds every unrestricted entrata, the entrate that name no fund,
   and the entrate of restricted funds that no line of the plan draws on: nothing says
   which spending they paid, so their restriction cannot be followed (the preview warns
   about each one; to keep it, put the channel on the lines the fund pays).
4. A restricted fund's avanzo = its entrate − its spese. Line by line it is made of the
   economie (preventivo − consuntivo of each of its lines) plus the entrate of the fund
   not assigned to any line (entrate − preventivo: negative when the plan assigned more
   than the fund brought). When every part is positive each one becomes its own avanzo
   row (per line, under its objective and action, plus one row for the unassigned
   entrate); otherwise the fund's avanzo is one row, under the narrowest objective /
   action that holds all the fund's lines. A fund that spent more than it brought leaves
   no avanzo vincolato: its maggiori spese are covered by the fondo indistinto.
5. Avanzo non vincolato = what is left of the fondo indistinto after covering those
   maggiori spese = avanzo di gestione − avanzo vincolato. It is one row with no objective:
   it is applied freely in the next plan. A negative non vincolato is a disavanzo: the
   closing refuses it (the Comuni must cover it first).
6. Next year the avanzo enters the entrate as "Avanzo gestionale N" rows: one per restricted
   fund (vincolato, with its channel) and one non vincolato.

Lines whose consuntivo is empty count as 0 when their preventivo is 0; with a preventivo
the closing asks for the consuntivo first.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import ngettext

from objectives.models import OperatingPlan

from .models import BudgetLine, FundingAllocation, FundingChannel
from .selectors import funding_by_channel, funding_stage

ZERO = Decimal("0.00")


def _euro(value):
    from core.formatting import format_euro

    return format_euro(value)


@dataclass(frozen=True)
class LineResult:
    line: BudgetLine
    fund: FundingChannel | None  # None: the fondo indistinto
    preventivo: Decimal
    consuntivo: Decimal

    @property
    def economia(self):
        return self.preventivo - self.consuntivo

    @property
    def restricted(self):
        return self.fund is not None


@dataclass
class ActionResult:
    """Economie (preventivo − consuntivo) of one action, by the kind of fund that pays them."""

    objective: object
    action: object
    restricted: Decimal = ZERO
    unrestricted: Decimal = ZERO

    @property
    def total(self):
        return self.restricted + self.unrestricted


@dataclass
class FundResult:
    channel: FundingChannel
    income: Decimal
    preventivo: Decimal
    consuntivo: Decimal
    lines: list = field(default_factory=list)

    @property
    def unassigned(self):
        """Entrate of the fund not assigned to any line (negative: assigned beyond them)."""
        return self.income - self.preventivo

    @property
    def result(self):
        return self.income - self.consuntivo

    @property
    def avanzo(self):
        return max(self.result, ZERO)

    @property
    def deficit(self):
        return max(-self.result, ZERO)


@dataclass(frozen=True)
class ProposedSurplus:
    """One row of avanzo as the closing will record it."""

    description: str
    amount: Decimal
    restricted: bool
    channel: FundingChannel | None = None
    objective: object = None
    action: object = None

    @property
    def reference(self):
        if self.action is not None:
            return f"Obiettivo {self.objective.number} - Azione {self.action.number}"
        if self.objective is not None:
            return f"Obiettivo {self.objective.number}"
        return ""


@dataclass
class SurplusPreview:
    plan: OperatingPlan
    stage: str
    income: Decimal
    spent: Decimal
    lines: list
    actions: list
    funds: list
    pool_income: Decimal
    pool_spent: Decimal
    rows: list
    warnings: list
    missing_consuntivo: list

    @property
    def total(self):
        """Avanzo di gestione: entrate − spese."""
        return self.income - self.spent

    @property
    def restricted(self):
        return sum((f.avanzo for f in self.funds), ZERO)

    @property
    def unrestricted(self):
        return self.total - self.restricted

    @property
    def deficits(self):
        return sum((f.deficit for f in self.funds), ZERO)

    @property
    def errors(self):
        """What stops the closing (the preview still shows the figures)."""
        errors = []
        if self.missing_consuntivo:
            shown = "; ".join(
                f"{_where(r.line)} «{r.line}»" for r in self.missing_consuntivo[:10]
            )
            more = len(self.missing_consuntivo) - 10
            errors.append(
                ngettext("Manca il consuntivo di %(n)d riga con preventivo: ",
                         "Manca il consuntivo di %(n)d righe con preventivo: ",
                         len(self.missing_consuntivo)) % {"n": len(self.missing_consuntivo)}
                + shown
                + (ngettext(" e un'altra", " e altre %(n)d", more) % {"n": more}
                   if more > 0 else "") + "."
            )
        if self.unrestricted < 0:
            errors.append(
                f"Le risorse non vincolate chiudono in disavanzo di {_euro(-self.unrestricted)}: "
                "il disavanzo va ripianato prima di chiudere l'anno."
            )
        return errors


def _where(line):
    action = line.action
    return f"Obiettivo {action.objective.number} - Azione {action.number}"


def _describe(line):
    return " – ".join(part for part in (line.item or "(voce senza descrizione)", line.note) if part)


def _common_scope(lines):
    objectives = {r.line.action.objective for r in lines}
    actions = {r.line.action for r in lines}
    objective = objectives.pop() if len(objectives) == 1 else None
    action = actions.pop() if len(actions) == 1 else None
    return objective, action


def _fund_rows(fund):
    """The avanzo rows of a restricted fund with a positive result (they add up to it)."""
    objective, action = _common_scope(fund.lines)
    parts = [
        ProposedSurplus(
            description=_describe(r.line), amount=r.economia, restricted=True,
            channel=fund.channel, objective=r.line.action.objective, action=r.line.action,
        )
        for r in fund.lines
        if r.economia
    ]
    if fund.unassigned:
        parts.append(ProposedSurplus(
            description=f"Entrate {fund.channel.code} non assegnate alle azioni",
            amount=fund.unassigned, restricted=True, channel=fund.channel,
            objective=objective, action=action,
        ))
    if all(p.amount > 0 for p in parts):
        return parts
    return [ProposedSurplus(
        description=f"Avanzo vincolato {fund.channel.code} (economie al netto di maggiori "
        "spese e minori entrate del fondo)",
        amount=fund.result, restricted=True, channel=fund.channel,
        objective=objective, action=action,
    )]


def surplus_preview(*, plan):
    stage = funding_stage(plan=plan, prefer=FundingAllocation.Stage.ACTUAL)
    income_by_channel = funding_by_channel(plan=plan, stage=stage)
    lines = list(
        BudgetLine.objects.filter(action__objective__plan=plan)
        .select_related("action__objective", "channel")
        .order_by("action__objective__number", "action__number", "position", "pk")
    )
    funds = {}
    results, missing = [], []
    actions = {}
    for line in lines:
        channel = line.channel if line.channel is not None and line.channel.restricted else None
        result = LineResult(line, channel, line.preventivo, line.consuntivo or ZERO)
        results.append(result)
        if line.consuntivo is None and line.preventivo:
            missing.append(result)
        key = line.action_id
        if key not in actions:
            actions[key] = ActionResult(line.action.objective, line.action)
        if channel is None:
            actions[key].unrestricted += result.economia
        else:
            actions[key].restricted += result.economia
            if channel.pk not in funds:
                funds[channel.pk] = FundResult(
                    channel, income_by_channel.get(channel.pk, ZERO), ZERO, ZERO
                )
            fund = funds[channel.pk]
            fund.preventivo += result.preventivo
            fund.consuntivo += result.consuntivo
            fund.lines.append(result)

    fund_list = sorted(funds.values(), key=lambda f: f.channel.code)
    income = sum(income_by_channel.values(), ZERO).quantize(ZERO)
    spent = sum((r.consuntivo for r in results), ZERO).quantize(ZERO)
    pool_income = income - sum((f.income for f in fund_list), ZERO)
    pool_spent = spent - sum((f.consuntivo for f in fund_list), ZERO)

    rows = []
    for fund in fund_list:
        if fund.result > 0:
            rows.extend(_fund_rows(fund))
    preview = SurplusPreview(
        plan=plan, stage=stage, income=income, spent=spent, lines=results,
        actions=list(actions.values()), funds=fund_list, pool_income=pool_income,
        pool_spent=pool_spent, rows=rows, warnings=[],
        missing_consuntivo=missing,
    )
    if preview.unrestricted > 0:
        rows.append(ProposedSurplus(
            description=f"Avanzo non vincolato {plan.year}", amount=preview.unrestricted,
            restricted=False,
        ))
    preview.warnings = _warnings(plan, stage, funds, income_by_channel, fund_list)
    return preview


def _warnings(plan, stage, funds, income_by_channel, fund_list):
    warnings = []
    if stage == FundingAllocation.Stage.PLANNED:
        warnings.append(
            f"Le entrate accertate del {plan.year} non sono registrate: il calcolo usa le "
            "entrate del preventivo."
        )
    idle = FundingChannel.objects.filter(
        pk__in=[pk for pk in income_by_channel if pk is not None and pk not in funds],
        restricted=True,
    ).order_by("code")
    for channel in idle:
        warnings.append(
            f"Le entrate vincolate {channel.code} ({_euro(income_by_channel[channel.pk])}) "
            "non finanziano alcuna riga del piano: confluiscono nel fondo indistinto "
            "(non vincolato). Per mantenerne il vincolo indicare il canale sulle righe "
            "che finanziano."
        )
    unnamed = FundingAllocation.objects.filter(
        ambito_id=plan.zone_plan.ambito_id, year=plan.year, stage=stage,
        channel__isnull=True, restricted=True,
    ).order_by("position")
    for allocation in unnamed:
        warnings.append(
            f"L'entrata vincolata «{allocation.label}» ({_euro(allocation.amount)}) non indica "
            "il fondo: confluisce nel fondo indistinto (non vincolato)."
        )
    for fund in fund_list:
        if fund.deficit:
            warnings.append(
                f"Il fondo vincolato {fund.channel.code} ha speso {_euro(fund.consuntivo)} "
                f"a fronte di entrate per {_euro(fund.income)}: le maggiori spese "
                f"({_euro(fund.deficit)}) sono coperte dal fondo indistinto."
            )
    return warnings


def group_by_objective(preview):
    """Action results grouped under their objective, in plan order (for printing)."""
    grouped = defaultdict(list)
    for result in preview.actions:
        grouped[result.objective].append(result)
    return sorted(grouped.items(), key=lambda item: item[0].number)


def year_close_preview(*, plan):
    """The avanzo the closing would record: the proposal staff see before closing."""
    return surplus_preview(plan=plan)
