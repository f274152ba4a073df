"""What the plan page offers for the closing of the year to the user looking at it."""

from django import template

from objectives.services import CLOSERS, user_holds

register = template.Library()


@register.simple_tag
def closing_links(plan, user):
    """Staff of the ambito see «Chiusura dell'anno» on an approved plan (and a closed one,
    to read its destination)."""
    return {
        "may_close": plan.state in ("approvato", "chiuso")
        and user_holds(user, plan.zone_plan.ambito, *CLOSERS),
    }
