"""What the plan page offers for the entrate per canale to the user looking at it."""

from django import template

from budget.income import EDITORS
from core.entry.access import may_read_plan_pages
from objectives.services import user_holds

register = template.Library()


@register.simple_tag
def income_links(plan, user):
    """Every role of the ambito reads the entrate; the Ufficio di Piano also imports the
    consuntivo of an approved plan."""
    ambito = plan.zone_plan.ambito
    return {
        "may_read": may_read_plan_pages(user, ambito.pk),
        "may_import": plan.state == "approvato" and user_holds(user, ambito, *EDITORS),
    }
