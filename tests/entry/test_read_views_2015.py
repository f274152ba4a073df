"""Issue 18: the Piano Operativo 2015 (seed) read by a revisore and by a sindaco: the budget
grid's read view shows every objective's total to the cent, with print and export."""

from decimal import Decimal

import pytest
from django.urls import reverse

from core.formatting import format_euro
from core.roles import Role
from governance.models import Ambito, Membership
from objectives.models import Objective, OperatingPlan
from tests.builders import make_user

from .test_read_views import assert_read_view

# ---------------------------------------------------------------------------------------
# The Piano Operativo 2015 (seed), read by a revisore and by a sindaco.
# ---------------------------------------------------------------------------------------

# tests/api/test_po_2015.py: objective 7's lines add up to 4.989.512,71 €.
OBJECTIVE_TOTALS_2015 = {
    1: "21000.00", 2: "12000.00", 3: "12543.47", 4: "644968.05", 5: "182615.30",
    6: "60137.46", 7: "4989512.71", 8: "100000.00", 9: "360323.16", 10: "453596.76",
}


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.ASSEMBLY])
def test_revisore_and_sindaco_read_the_2015_budget_to_the_cent(client, db, role):
    user = make_user(f"lettore-{role}")
    ambito = Ambito.objects.get(slug="cremasco")
    Membership.objects.create(user=user, ambito=ambito, role=role)
    client.force_login(user)
    plan = OperatingPlan.objects.get(zone_plan__ambito=ambito, year=2015)
    objectives = Objective.objects.filter(plan=plan, number__in=OBJECTIVE_TOTALS_2015)
    assert objectives.count() == len(OBJECTIVE_TOTALS_2015)
    for objective in objectives:
        response = client.get(reverse("budget:entry", args=[objective.pk]))
        assert response.status_code == 200
        content = response.content.decode()
        total = format_euro(Decimal(OBJECTIVE_TOTALS_2015[objective.number]))
        assert f'id="total-preventivo">{total}</dd>' in content, objective.number
        assert f'id="foot-preventivo">{total}</td>' in content, objective.number
        assert_read_view(content, submit="Salva il budget")
        export = client.get(reverse("budget:export", args=[objective.pk, "csv"]))
        assert export.status_code == 200
    assert format_euro(Decimal("4989512.71")) == "4.989.512,71 €"
    quarter = client.get(reverse("indicators:quarter", args=[plan.pk, 4]))
    assert quarter.status_code == 200
    assert_read_view(quarter.content.decode(), submit="Salva le rilevazioni")
    plan_page = client.get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    assert "Approva il piano" not in plan_page
    assert "Rilevazioni trimestrali" in plan_page
