"""Browser pages of the operating plans: list, plan, dashboard, objective.

Every figure comes from a selector (budget/selectors.py and objectives/dashboard.py),
the same ones the reports and the API call.
"""

from django.db.models import Prefetch
from django.utils import timezone
from django.views.generic import TemplateView

from budget.entry_selectors import objective_budget
from budget.selectors import channel_totals, objectives_with_totals, plan_totals, plans_with_totals
from core.entry.access import PageAccessMixin, plan_context, policy_for, scoped_or_403
from core.roles import VIEW
from indicators.models import Indicator, Measurement, Milestone
from indicators.periods import QUARTERS, current_quarter, quarter_end
from objectives.dashboard import plan_dashboard

from .models import Objective, OperatingPlan


class PlanListView(PageAccessMixin, TemplateView):
    template_name = "objectives/plan_list.html"

    def get_context_data(self, **kwargs):
        plans = (
            plans_with_totals(OperatingPlan.objects.restrict(self.request.user, VIEW))
            .select_related("zone_plan__ambito")
            .order_by("zone_plan__ambito__name", "-year")
        )
        return super().get_context_data(plans=plans, nav="plans", page_title="Piani operativi",
                                        **kwargs)


class PlanPageMixin(PageAccessMixin):
    nav = "plan"

    def get_plan(self):
        return scoped_or_403(
            OperatingPlan.objects.select_related("zone_plan__ambito"),
            self.request.user, self.kwargs["pk"],
        )

    def get_context_data(self, **kwargs):
        plan = self.get_plan()
        context = super().get_context_data(**kwargs)
        context.update(plan_context(self.request.user, plan, nav=self.nav))
        context["policy"] = policy_for(plan)
        return context


class PlanDetailView(PlanPageMixin, TemplateView):
    template_name = "objectives/plan_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = context["plan"]
        context.update(
            page_title=plan.title,
            totals=plan_totals(plan=plan),
            objectives=objectives_with_totals(
                Objective.objects.restrict(self.request.user, VIEW).filter(plan=plan)
            ).order_by("number"),
            channels=channel_totals(plan=plan),
        )
        return context


class DashboardView(PlanPageMixin, TemplateView):
    template_name = "objectives/dashboard.html"
    nav = "dashboard"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        plan = context["plan"]
        context["page_title"] = f"Cruscotto – {plan.title}"
        context.update(plan_dashboard(plan=plan, user=self.request.user,
                                      today=timezone.localdate()))
        return context


class ObjectiveDetailView(PageAccessMixin, TemplateView):
    template_name = "objectives/objective_detail.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        objective = scoped_or_403(
            Objective.objects.select_related("plan__zone_plan__ambito", "area"),
            user, self.kwargs["pk"],
        )
        plan = objective.plan
        periods = [quarter_end(plan.year, q) for q in QUARTERS]
        indicators = (
            Indicator.objects.restrict(user, VIEW)
            .filter(objective=objective)
            .select_related("action")
            .prefetch_related(Prefetch("measurements",
                                       queryset=Measurement.objects.order_by("period_end")))
            .order_by("position", "pk")
        )
        indicator_rows = []
        for indicator in indicators:
            by_period = {m.period_end: m for m in indicator.measurements.all()}
            indicator_rows.append({"indicator": indicator,
                                   "values": [by_period.get(p) for p in periods]})
        context = super().get_context_data(**kwargs)
        context.update(plan_context(user, plan, nav="plan"))
        context.update(
            page_title=f"Obiettivo {objective.number}",
            objective=objective,
            policy=policy_for(plan),
            budget=objective_budget(objective=objective, user=user),
            periods=periods,
            indicator_rows=indicator_rows,
            milestones=Milestone.objects.restrict(user, VIEW)
            .filter(objective=objective).select_related("action").order_by("position", "pk"),
            referents=objective.referents.restrict(user, VIEW).select_related("organisation"),
            current_quarter=current_quarter(plan.year, timezone.localdate()),
        )
        return context
