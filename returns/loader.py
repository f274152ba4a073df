"""Loads the built-in return templates (``returns/fixtures/templates.json``).

A national template is created if missing and otherwise left as it is: a superuser's change
in the admin is not undone by the next load.
"""

import json
from pathlib import Path

from .models import ReturnTemplate

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "templates.json"


def load_templates(path=FIXTURE):
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    created = 0
    for position, item in enumerate(data["templates"]):
        fields = {k: item[k] for k in (
            "name", "recipient", "layout_note", "row_dimension", "column_dimension",
            "measure", "channels", "checks")}
        _, made = ReturnTemplate.objects.get_or_create(
            ambito=None, key=item["key"], defaults={**fields, "position": position}
        )
        created += made
    return created
