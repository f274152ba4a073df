"""The plan page's carry links: "Nuovo piano per il N+1" and the texts to review."""

from django import template

from objectives.models import OperatingPlan
from objectives.services import CLOSERS, empty_draft, objectives_mentioning_year, user_holds

register = template.Library()


@register.simple_tag
def carry_links(plan, user):
    """What the plan page offers about the next year (for the staff of the ambito)."""
    ambito = plan.zone_plan.ambito
    if not user_holds(user, ambito, *CLOSERS):
        return {}
    next_year = plan.year + 1
    exists = OperatingPlan.objects.filter(zone_plan__ambito=ambito, year=next_year).exists()
    # The empty bozza a closing leaves (only the avanzo entrate) is still to be built.
    exists = exists and empty_draft(ambito=ambito, year=next_year) is None
    review = []
    if plan.state == OperatingPlan.State.DRAFT:
        review = objectives_mentioning_year(plan=plan, year=plan.year - 1)
    return {"next_year": next_year, "may_create": not exists, "review": review,
            "old_year": plan.year - 1}
