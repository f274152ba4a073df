"""The objective's activities in the admin: a list staff read and type one per line."""

import pytest
from django.forms.models import model_to_dict

from objectives.admin import ObjectiveAdminForm
from objectives.models import Objective
from tests.builders import build_ambito

pytestmark = pytest.mark.django_db


def _objective():
    build_ambito("alfa")
    return Objective.objects.filter(plan__zone_plan__ambito__slug="alfa").first()


def test_activities_shown_one_per_line_and_saved_as_a_list():
    objective = _objective()
    objective.activities = ["Prima azione", "Seconda azione"]
    objective.save()

    form = ObjectiveAdminForm(instance=objective)
    rendered = str(form["activities"])
    assert "Prima azione\nSeconda azione" in rendered
    assert "[" not in rendered

    data = {k: v for k, v in model_to_dict(objective).items() if v is not None}
    data["activities"] = "  Terza azione \n\n Quarta azione\n"
    form = ObjectiveAdminForm(data=data, instance=objective)
    assert form.is_valid(), form.errors
    form.save()
    objective.refresh_from_db()
    assert objective.activities == ["Terza azione", "Quarta azione"]


def test_empty_activities_is_an_empty_list():
    objective = _objective()
    data = {k: v for k, v in model_to_dict(objective).items() if v is not None}
    data["activities"] = ""
    form = ObjectiveAdminForm(data=data, instance=objective)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["activities"] == []
