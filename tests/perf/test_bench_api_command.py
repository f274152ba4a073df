"""`bench_api` (run by `make bench`) multiplies the lines of approved plans too: the seeds'
plans are approved, and the freeze rule refused the copies ("… è approvato: si modifica solo
con una variazione"), so the benchmark failed on the seeds it is meant for."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import override_settings

from budget.models import BudgetLine
from objectives.models import OperatingPlan
from tests.builders import build_ambito, set_plan_state

pytestmark = pytest.mark.django_db(transaction=True)


@override_settings(ALLOWED_HOSTS=["localhost", "testserver"], SECURE_SSL_REDIRECT=False)
def test_bench_api_measures_an_approved_plan_and_leaves_the_data_as_it_was():
    build_ambito("alfa")
    for plan in OperatingPlan.objects.all():
        set_plan_state(plan, OperatingPlan.State.APPROVED)
    lines = BudgetLine.objects.count()

    out = StringIO()
    call_command("bench_api", scales="1,3", stdout=out)

    rows = [line.split() for line in out.getvalue().splitlines()[2:]]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("1", str(lines), "json"), ("1", str(lines), "csv"),
        ("3", str(3 * lines), "json"), ("3", str(3 * lines), "csv"),
    ]
    assert BudgetLine.objects.count() == lines  # the copies were rolled back
