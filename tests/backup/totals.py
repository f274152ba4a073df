"""The figures the reports print for cremasco, computed by the reports' own selectors.

Run in the source test database and, in a subprocess, in the database the archive was
imported into: both must give the same strings, to the cent.
"""

from decimal import Decimal

from budget.models import FundingAllocation
from budget.selectors import allocation_totals, objective_totals, plan_totals, surplus_totals
from governance.models import Ambito
from objectives.models import OperatingPlan

CENT = Decimal("0.01")


def _text(totals):
    # To the cent: SQLite sums carry extra zero places that PostgreSQL does not.
    return {key: str(Decimal(value).quantize(CENT)) for key, value in totals.items()}


def report_totals(code="cremasco"):
    ambito = Ambito.objects.get(slug=code)
    figures = {}
    plans = OperatingPlan.objects.filter(zone_plan__ambito=ambito).order_by("year")
    for plan in plans:
        year = str(plan.year)
        figures[f"{year} piano"] = _text(plan_totals(plan=plan))
        figures[f"{year} avanzo"] = _text(surplus_totals(plan=plan))
        for objective in plan.objectives.order_by("number"):
            figures[f"{year} obiettivo {objective.number}"] = _text(
                objective_totals(objective=objective)
            )
        for stage in FundingAllocation.Stage.values:
            figures[f"{year} entrate {stage}"] = _text(
                allocation_totals(ambito=ambito, year=plan.year, stage=stage)
            )
    return figures


def history_reasons(code="cremasco"):
    """Change reasons of the history of the ambito's budget lines and referents."""
    from budget.models import BudgetLine
    from objectives.models import Referent

    reasons = set()
    for model, path in ((BudgetLine, "action__objective__plan__zone_plan__ambito__slug"),
                        (Referent, "objective__plan__zone_plan__ambito__slug")):
        reasons |= set(model.history.filter(**{path: code})
                       .values_list("history_change_reason", flat=True))
    return sorted(str(r) for r in reasons)
