"""Loads the reviewed classification fixtures (``classification/fixtures/``).

- ``dimensions.json``: the dimensions and their codes (reference data). Codes are created
  or updated by code; codes added in the admin are kept.
- ``assignments-*.json``: the proposed classification of a seed document's actions and
  lines (status "proposta", each with the reason taken from the seed text). A target that
  already has codes in a dimension keeps them: a person's confirmation or change is never
  overwritten by a reload.
"""

import json
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from simple_history.utils import bulk_create_with_history

from budget.models import BudgetLine
from governance.models import SourceDocument
from objectives.models import Action

from .models import Assignment, Code, Dimension

FIXTURES = Path(__file__).resolve().parent / "fixtures"
LOAD_REASON = "Proposta dalla fixture rivista {name}"


class ClassificationFixtureError(Exception):
    """A classification fixture that does not match the seeds or the reference lists."""


def _read(path):
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ClassificationFixtureError(f"{path}: JSON non valido ({exc})") from exc


@transaction.atomic
def load_reference(path=FIXTURES / "dimensions.json"):
    """Create or update the dimensions and codes of the reference fixture."""
    data = _read(path)
    for d_pos, item in enumerate(data["dimensions"]):
        dimension, _ = Dimension.objects.update_or_create(
            code=item["code"],
            defaults={
                "name": item["name"],
                "description": item.get("description", ""),
                "source": item.get("source", ""),
                "splittable": bool(item.get("splittable")),
                "position": d_pos,
            },
        )
        for c_pos, code in enumerate(item["codes"]):
            parent = None
            if code.get("parent"):
                parent = Code.objects.get(dimension=dimension, code=code["parent"])
            Code.objects.update_or_create(
                dimension=dimension,
                code=code["code"],
                defaults={
                    "label": code["label"],
                    "parent": parent,
                    "valid_from_year": code.get("valid_from_year"),
                    "valid_to_year": code.get("valid_to_year"),
                    "note": code.get("note", ""),
                    "position": c_pos,
                },
            )


def assignment_files(root=FIXTURES):
    return sorted(Path(root).glob("assignments-*.json"))


def _codes_by_key():
    return {
        (dim, code): (dim_id, code_id)
        for code_id, code, dim_id, dim in Code.objects.values_list(
            "id", "code", "dimension_id", "dimension__code"
        )
    }


def _rows_for(target_codes, *, action, line, codes, reason, where):
    rows = []
    for dim_code, shares in target_codes.items():
        total = Decimal("0")
        for code, share in shares:
            key = (dim_code, code)
            if key not in codes:
                raise ClassificationFixtureError(
                    f"{where}: codice sconosciuto {code!r} nella dimensione {dim_code!r}"
                )
            share = Decimal(str(share))
            total += share
            dim_id, code_id = codes[key]
            rows.append(Assignment(
                action=action, line=line, dimension_id=dim_id, code_id=code_id,
                share=share, status=Assignment.Status.PROPOSED, reason=reason,
            ))
        if total != Decimal("100"):
            raise ClassificationFixtureError(
                f"{where}: le quote della dimensione {dim_code!r} sommano {total} %, non 100 %"
            )
    return rows


@transaction.atomic
def load_assignments(path):
    """Apply one assignments fixture; returns how many assignments it created."""
    data = _read(path)
    name = Path(path).name
    document = SourceDocument.objects.filter(key=data["document"]).first()
    if document is None:
        return 0  # the seed document is not loaded here: nothing to classify
    actions = {
        (a.objective.number, a.number): a
        for a in Action.objects.filter(
            objective__plan__zone_plan__ambito=document.ambito,
            objective__plan__year=document.year,
        ).select_related("objective")
    }
    lines = {
        (line.action_id, line.position): line
        for line in BudgetLine.objects.filter(action__in=actions.values())
    }
    taken = set(
        Assignment.objects.filter(action__in=actions.values()).values_list(
            "action_id", "line_id", "dimension__code"
        )
    )
    codes = _codes_by_key()
    new = []
    for item in data["actions"]:
        key = (item["objective"], item["action"])
        action = actions.get(key)
        where = f"{name}: obiettivo {key[0]} azione {key[1]}"
        if action is None:
            raise ClassificationFixtureError(f"{where}: azione non trovata nel documento")
        reason = item["reason"]
        fresh = {d: s for d, s in item.get("codes", {}).items()
                 if (action.pk, None, d) not in taken}
        new += _rows_for(fresh, action=action, line=None, codes=codes,
                         reason=reason, where=where)
        for line_item in item.get("lines", []):
            line = lines.get((action.pk, line_item["position"]))
            line_where = f"{where} riga {line_item['position']}"
            if line is None:
                raise ClassificationFixtureError(f"{line_where}: riga non trovata")
            fresh = {d: s for d, s in line_item["codes"].items()
                     if (action.pk, line.pk, d) not in taken}
            new += _rows_for(fresh, action=action, line=line, codes=codes,
                             reason=line_item["reason"], where=line_where)
    if new:
        bulk_create_with_history(
            new, Assignment, default_change_reason=LOAD_REASON.format(name=name)
        )
    return len(new)


def load_all(root=FIXTURES):
    """Reference lists, then every assignments fixture whose document is loaded."""
    load_reference(Path(root) / "dimensions.json")
    return sum(load_assignments(path) for path in assignment_files(root))
