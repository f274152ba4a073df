"""What the plan page offers for the closing of the year to the user looking at it."""

from django import template

from core.entry.access import may_read_plan_pages
from objectives.services import CLOSERS, user_holds

register = template.Library()


@register.simple_tag
def closing_links(plan, user):
    """«Chiusura dell'anno» on an approved or closed plan: staff of the ambito use it, every
    other role of the ambito reads it (the avanzo, its destination and act)."""
    ambito = plan.zone_plan.ambito
    year_lived = plan.state in ("approvato", "chiuso")
    may_close = year_lived and user_holds(user, ambito, *CLOSERS)
    return {
        "may_close": may_close,
        "may_read": year_lived and not may_close and may_read_plan_pages(user, ambito.pk),
    }
