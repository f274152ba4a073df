"""What the plan page offers for approval, acts and variations to the user looking at it."""

from django import template

from core.entry.access import may_read_plan_pages
from objectives.services import APPROVERS, user_holds

register = template.Library()


@register.simple_tag
def approval_links(plan, user):
    ambito = plan.zone_plan.ambito
    may_approve = plan.state == "bozza" and user_holds(user, ambito, *APPROVERS)
    return {
        "may_approve": may_approve,
        # Everybody else reads the approval's state and act (a read view for readers).
        "may_read": not may_approve and may_read_plan_pages(user, ambito.pk),
        "zone_plan_pending": plan.zone_plan.approval_id is None
        and user_holds(user, ambito, *APPROVERS),
        "variations": plan.state != "bozza",
    }
