"""What the plan page offers for approval, acts and variations to the user looking at it."""

from django import template

from objectives.services import APPROVERS, user_holds

register = template.Library()


@register.simple_tag
def approval_links(plan, user):
    ambito = plan.zone_plan.ambito
    return {
        "may_approve": plan.state == "bozza" and user_holds(user, ambito, *APPROVERS),
        "zone_plan_pending": plan.zone_plan.approval_id is None
        and user_holds(user, ambito, *APPROVERS),
        "variations": plan.state != "bozza",
    }
