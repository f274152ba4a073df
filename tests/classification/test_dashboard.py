"""The cruscotto shows the share of the year's money still unclassified."""

import pytest
from django.urls import reverse

from objectives.models import OperatingPlan


@pytest.mark.django_db
def test_dashboard_shows_the_unclassified_money(client, django_user_model):
    root = django_user_model.objects.create_superuser("root-dash", "r@example.org", "x")
    client.force_login(root)
    plan = OperatingPlan.objects.get(zone_plan__ambito__slug="cremasco", year=2018)
    text = client.get(reverse("objectives:dashboard", args=[plan.pk])).content.decode()
    assert ("Spesa non ancora classificata per area di utenza (consuntivo): "
            '<strong class="num">0,00 €</strong> su 9.286.435,65 € (0,0 %)') in text
