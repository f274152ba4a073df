"""Loads the reviewed seed documents of ``fixtures/`` (format: fixtures/FORMAT.md).

Idempotent: a document whose fixture files have not changed since it was
loaded is skipped; a changed one has its own rows replaced, while the rows it
shares with other documents of the ambito (organisations, channels, Comuni,
bodies) are updated in place.
"""

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import transaction

from budget.models import (
    BudgetLine,
    ChannelReference,
    FundingAllocation,
    FundingChannel,
    Surplus,
    SurplusDestination,
    SurplusDestinationRow,
)
from classification import loader as classification_loader
from core import freeze
from governance.models import (
    Ambito,
    Body,
    BodyMember,
    Deliberation,
    Meeting,
    Municipality,
    MunicipalSpending,
    Organisation,
    PopulationFigure,
    PrintedTotal,
    SourceDocument,
    SubAmbito,
)
from indicators.models import (
    EvaluationCriterion,
    Indicator,
    Kpi,
    KpiValue,
    Measurement,
    Milestone,
)
from objectives import tables
from objectives.models import (
    Action,
    Area,
    DataTable,
    Objective,
    OperatingPlan,
    PolicyGoal,
    Referent,
    Section,
    ZonePlan,
)
from returns.loader import load_templates as load_return_templates

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"


class SeedError(Exception):
    """A fixture that does not match the format: names the file part at fault."""


def _merge(into, other):
    for key, value in other.items():
        if isinstance(value, list):
            into.setdefault(key, []).extend(value)
        elif isinstance(value, dict) and isinstance(into.get(key), dict):
            into[key].update(value)
        else:
            into[key] = value
    return into


def read_document(folder):
    """The merged content of a document folder and the digest of its files."""
    files = sorted(Path(folder).glob("*.json"))
    if not files:
        raise SeedError(f"{folder}: nessun file JSON")
    digest = hashlib.sha256()
    data = {}
    for path in files:
        raw = path.read_bytes()
        digest.update(path.name.encode() + b"\0" + raw)
        try:
            part = json.loads(raw)
            for table in part.get("tables", []):  # the file a table's error names
                table["_file"] = f"{Path(folder).name}/{path.name}"
            _merge(data, part)
        except json.JSONDecodeError as exc:
            raise SeedError(f"{path}: JSON non valido ({exc})") from exc
    if "document" not in data or "ambito" not in data:
        raise SeedError(f"{folder}: mancano 'document' o 'ambito'")
    return data, digest.hexdigest()


def document_folders(root=FIXTURES_DIR):
    return sorted(p for p in Path(root).iterdir() if p.is_dir() and any(p.glob("*.json")))


def _money(value):
    return None if value is None else Decimal(str(value)).quantize(Decimal("0.01"))


def _number(value):
    return None if value is None else Decimal(str(value))


def _date(value):
    return None if not value else date.fromisoformat(value)


def _text(value):
    return (value or "").strip()


@dataclass
class _Context:
    ambito: Ambito
    document: SourceDocument
    organisations: dict = field(default_factory=dict)
    channels: dict = field(default_factory=dict)
    areas: dict = field(default_factory=dict)
    objectives: dict = field(default_factory=dict)
    actions: dict = field(default_factory=dict)
    bodies: dict = field(default_factory=dict)
    sections: dict = field(default_factory=dict)
    plan: OperatingPlan | None = None
    zone_plan: ZonePlan | None = None

    def organisation(self, name):
        name = _text(name)
        if not name:
            return None
        if name not in self.organisations:
            self.organisations[name], _ = Organisation.objects.get_or_create(
                ambito=self.ambito, name=name
            )
        return self.organisations[name]

    def channel(self, code):
        if not code:
            return None
        if code not in self.channels:
            found = FundingChannel.objects.filter(ambito=self.ambito, code=code).first()
            if found is None:
                raise SeedError(f"canale di finanziamento sconosciuto: {code!r}")
            self.channels[code] = found
        return self.channels[code]

    def action(self, objective_number, action_number):
        if objective_number is None or action_number is None:
            return None
        key = (int(objective_number), int(action_number))
        if key not in self.actions:
            raise SeedError(f"azione {key[1]} dell'obiettivo {key[0]} non trovata")
        return self.actions[key]


def load_document(folder, *, force=False):
    """Load one document folder; returns (document, loaded: bool)."""
    data, digest = read_document(folder)
    doc_data = data["document"]
    existing = SourceDocument.objects.filter(key=doc_data["key"]).first()
    if existing and existing.fixture_digest == digest and not force:
        return existing, False
    # Documents are loaded as printed: closed and approved plans included.
    with transaction.atomic(), freeze.allow(freeze.LOADING):
        ambito = _load_ambito(data["ambito"])
        if existing:
            _delete_document_rows(existing)
        document, _ = SourceDocument.objects.update_or_create(
            key=doc_data["key"],
            defaults={
                "ambito": ambito,
                "kind": doc_data["kind"],
                "title": doc_data["title"],
                "subtitle": _text(doc_data.get("subtitle")),
                "author": _text(doc_data.get("author")),
                "year": doc_data["year"],
                "source": _text(doc_data.get("source")),
                "fixture_digest": digest,
            },
        )
        ctx = _Context(ambito=ambito, document=document)
        _load_organisations(ctx, data)
        _load_territory(ctx, data)
        _load_bodies(ctx, data)
        _load_channels(ctx, data.get("funding_channels", []))
        _load_zone_plan(ctx, data)
        _load_deliberations(ctx, data.get("deliberations", []))
        _load_areas(ctx, data.get("areas", []))
        if data.get("operating_plan"):
            _load_operating_plan(ctx, data["operating_plan"])
            for item in data.get("objectives", []):
                _load_objective(ctx, item)
        _load_allocations(ctx, data.get("allocations", []))
        _load_surplus(ctx, data.get("surplus", []))
        _load_surplus_destination(ctx, data.get("surplus_destination"), data.get("surplus", []))
        _load_kpis(ctx, data.get("kpis", []))
        _load_sections(ctx, data.get("sections", []))
        _load_tables(ctx, data.get("tables", []))
        _load_printed_totals(ctx, data.get("printed_totals", []))
    return document, True


def load_all(root=FIXTURES_DIR, *, force=False):
    results = [load_document(folder, force=force) for folder in document_folders(root)]
    load_reference_data()
    return results


def load_reference_data():
    """After the documents: the reviewed classification of their actions and lines (never
    overwriting a classification a person has since changed) and the built-in returns."""
    try:
        classification_loader.load_all()
    except classification_loader.ClassificationFixtureError as exc:
        raise SeedError(str(exc)) from exc
    load_return_templates()


def _delete_document_rows(document):
    """Remove what a previous load of this document created (shared rows stay)."""
    year = document.year
    if document.kind in (SourceDocument.Kind.OPERATING_PLAN, SourceDocument.Kind.FINAL_REPORT):
        for plan in OperatingPlan.objects.filter(zone_plan__ambito=document.ambito, year=year):
            FundingAllocation.objects.filter(operating_plan=plan).delete()
            plan.delete()
    document.allocations.all().delete()
    document.sections.all().delete()
    document.tables.all().delete()
    document.printed_totals.all().delete()
    document.kpis.all().delete()


def _load_ambito(item):
    ambito, _ = Ambito.objects.update_or_create(
        slug=item["slug"],
        defaults={
            "name": item["name"],
            "region": _text(item.get("region")),
            "declared_municipality_count": item.get("municipality_count"),
        },
    )
    return ambito


def _load_organisations(ctx, data):
    for item in data.get("organisations", []):
        org, _ = Organisation.objects.update_or_create(
            ambito=ctx.ambito,
            name=_text(item["name"]),
            defaults={
                "short_name": _text(item.get("short_name")),
                "kind": item.get("kind") or Organisation.Kind.OTHER,
            },
        )
        ctx.organisations[org.name] = org
    capofila = data["ambito"].get("ente_capofila")
    if capofila:
        org = ctx.organisation(capofila)
        if org.kind == Organisation.Kind.OTHER:
            org.kind = Organisation.Kind.CAPOFILA
            org.save()
        if ctx.ambito.ente_capofila_id != org.pk:
            ctx.ambito.ente_capofila = org
            ctx.ambito.save()


def _load_territory(ctx, data):
    sub_ambiti = {}
    for pos, item in enumerate(data.get("sub_ambiti", [])):
        sub, _ = SubAmbito.objects.update_or_create(
            ambito=ctx.ambito,
            name=_text(item["name"]),
            defaults={"code": _text(item.get("code")), "position": pos},
        )
        sub_ambiti[sub.name] = sub
        if sub.code:
            sub_ambiti[sub.code] = sub
    for pos, item in enumerate(data.get("municipalities", [])):
        sub_name = item.get("sub_ambito")
        if sub_name and sub_name not in sub_ambiti:
            raise SeedError(f"Comune {item['name']}: sub-ambito sconosciuto {sub_name!r}")
        municipality, _ = Municipality.objects.update_or_create(
            ambito=ctx.ambito,
            name=_text(item["name"]),
            defaults={
                "sub_ambito": sub_ambiti.get(sub_name) if sub_name else None,
                "aliases": item.get("aliases", []),
                "size_class": _text(item.get("size_class")),
                "position": pos,
            },
        )
        for figure in item.get("population", []):
            PopulationFigure.objects.update_or_create(
                municipality=municipality,
                year=figure["year"],
                defaults={"value": int(Decimal(str(figure["value"])))},
            )
        for figure in item.get("spending", []):
            MunicipalSpending.objects.update_or_create(
                municipality=municipality,
                year=figure["year"],
                defaults={
                    "amount": _money(figure["amount"]),
                    "amount_single": _money(figure.get("amount_single")),
                    "amount_associated": _money(figure.get("amount_associated")),
                    "per_capita": _money(figure.get("per_capita")),
                    "source": _text(figure.get("source")) or ctx.document.title,
                },
            )


def _load_bodies(ctx, data):
    for pos, item in enumerate(data.get("bodies", [])):
        defaults = {"kind": item.get("kind") or Body.Kind.OTHER, "position": pos}
        if item.get("organisation"):
            defaults["organisation"] = ctx.organisation(item["organisation"])
        if item.get("description"):
            defaults["description"] = item["description"]
        body, _ = Body.objects.update_or_create(
            ambito=ctx.ambito, name=_text(item["name"]), defaults=defaults
        )
        ctx.bodies[body.name] = body
        for mpos, member in enumerate(item.get("members", [])):
            BodyMember.objects.get_or_create(
                body=body,
                name=_text(member["name"]),
                role=_text(member.get("role")),
                start_date=_date(member.get("start")),
                end_date=_date(member.get("end")),
                defaults={"represents": _text(member.get("represents")), "position": mpos},
            )
        for meeting in item.get("meetings", []):
            Meeting.objects.update_or_create(
                body=body, date=_date(meeting["date"]),
                defaults={"note": _text(meeting.get("note"))},
            )


def _load_channels(ctx, items):
    for item in items:
        known = FundingChannel.objects.filter(ambito=ctx.ambito, code=item["code"]).first()
        if known is not None and known.restricted != bool(item.get("restricted")):
            # Two documents of one ambito must agree on a fund's restriction: the surplus
            # split depends on it, so the last loaded document must not decide silently.
            raise SeedError(
                f"canale {item['code']}: vincolo in contrasto con quanto già caricato "
                f"({'vincolato' if known.restricted else 'non vincolato'})"
            )
        channel, _ = FundingChannel.objects.update_or_create(
            ambito=ctx.ambito,
            code=item["code"],
            defaults={
                "name": item.get("name") or item["code"],
                "kind": item.get("kind") or FundingChannel.Kind.OTHER,
                "restricted": bool(item.get("restricted")),
                "description": _text(item.get("description")),
            },
        )
        ctx.channels[channel.code] = channel
        for ref in item.get("legal_references", []):
            ChannelReference.objects.update_or_create(
                channel=channel,
                year=ref["year"],
                reference=ref["reference"],
                defaults={"date": _date(ref.get("date")), "amount": _money(ref.get("amount"))},
            )


def _load_zone_plan(ctx, data):
    item = data.get("zone_plan")
    if not item:
        return
    ctx.zone_plan, _ = ZonePlan.objects.update_or_create(
        ambito=ctx.ambito,
        start_year=item["start_year"],
        end_year=item["end_year"],
        defaults={
            "title": item["title"],
            "nominal_start_year": item.get("nominal_start_year"),
            "nominal_end_year": item.get("nominal_end_year"),
            "approved_on": _date(item.get("approved_on")),
            "description": _text(item.get("description")),
        },
    )


def _load_deliberations(ctx, items):
    for item in items:
        issuer = _text(item.get("body"))
        body = ctx.bodies.get(issuer) or (
            Body.objects.filter(ambito=ctx.ambito, name=issuer).first() if issuer else None
        )
        Deliberation.objects.update_or_create(
            ambito=ctx.ambito,
            number=_text(item.get("number")),
            date=_date(item.get("date")),
            subject=_text(item.get("subject")),
            defaults={
                "body": body,
                "issuer": "" if body else issuer,
                "approves": item.get("approves") or Deliberation.Subject.OTHER,
            },
        )


def _load_areas(ctx, items):
    if items and ctx.zone_plan is None:
        raise SeedError("aree senza piano di zona")
    for pos, item in enumerate(items):
        area, _ = Area.objects.update_or_create(
            zone_plan=ctx.zone_plan,
            name=_text(item["name"]),
            defaults={
                "code": _text(item.get("code")),
                "description": _text(item.get("description")),
                "position": pos,
            },
        )
        ctx.areas[area.name] = area
        area.goals.all().delete()
        for gpos, goal in enumerate(item.get("goals", [])):
            PolicyGoal.objects.create(
                area=area,
                title=goal["title"],
                description=_text(goal.get("description")),
                position=gpos,
            )


def _area(ctx, name, *, strict=True):
    if not name:
        return None
    name = _text(name)
    if name not in ctx.areas:
        found = Area.objects.filter(zone_plan=ctx.zone_plan, name__iexact=name).first()
        if found is None:
            if not strict:
                return None
            raise SeedError(f"area sconosciuta: {name!r}")
        ctx.areas[name] = found
    return ctx.areas[name]


def _load_operating_plan(ctx, item):
    ctx.plan = OperatingPlan.objects.create(
        zone_plan=ctx.zone_plan,
        year=item["year"],
        title=item.get("title") or f"Piano Operativo {item['year']}",
        state=item.get("state") or OperatingPlan.State.DRAFT,
        action_numbering=item.get("action_numbering") or OperatingPlan.Numbering.PLAN,
    )


def _load_objective(ctx, item):
    objective = Objective.objects.create(
        plan=ctx.plan,
        area=_area(ctx, item.get("area")),
        number=item["number"],
        code=_text(item.get("code")),
        title=_text(item.get("title")),
        short_title=_text(item.get("short_title")),
        description=_text(item.get("description")),
        triennial_goal=_text(item.get("triennial_goal")),
        activities=item.get("activities", []),
        timing=_text(item.get("timing")),
    )
    ctx.objectives[objective.number] = objective
    for pos, ref in enumerate(item.get("referents", [])):
        Referent.objects.create(
            objective=objective,
            name=_text(ref["name"]),
            organisation=ctx.organisation(ref.get("organisation")),
            organisation_label=_text(ref.get("organisation_label")),
            position=pos,
        )
    for action_item in item.get("actions", []):
        action = Action.objects.create(
            objective=objective,
            number=action_item["number"],
            title=_text(action_item.get("title")),
            description=_text(action_item.get("description")),
        )
        ctx.actions[(objective.number, action.number)] = action
        for pos, line in enumerate(action_item.get("lines", [])):
            BudgetLine.objects.create(
                action=action,
                item=_text(line.get("item")),
                note=_text(line.get("note")),
                channel=ctx.channel(line.get("channel")),
                preventivo=_money(line.get("preventivo")) or Decimal("0.00"),
                consuntivo=_money(line.get("consuntivo")),
                source_note=_text(line.get("source_note")),
                position=pos,
            )
    for pos, ind in enumerate(item.get("indicators", [])):
        indicator = Indicator.objects.create(
            objective=objective,
            action=ctx.action(objective.number, ind.get("action")),
            table_label=_text(ind.get("table")),
            name=_text(ind["name"]),
            kind=ind.get("kind") or Indicator.Kind.COUNT,
            target=_text(ind.get("target")),
            note=_text(ind.get("note")),
            position=pos,
        )
        for m in ind.get("measurements", []):
            state = m.get("state") or Measurement.State.VALUE
            Measurement.objects.create(
                indicator=indicator,
                period_end=_date(m["period_end"]),
                state=state,
                value=_number(m.get("value")) if state == Measurement.State.VALUE else None,
                text_value=_text(m.get("text")),
            )
    for pos, text in enumerate(item.get("evaluation_ranges", [])):
        EvaluationCriterion.objects.create(objective=objective, text=text, position=pos)
    for pos, ms in enumerate(item.get("milestones", [])):
        Milestone.objects.create(
            objective=objective,
            action=ctx.action(objective.number, ms.get("action")),
            title=_text(ms["title"]),
            due_date=_date(ms.get("due_date")),
            periodicity=ms.get("periodicity") or "",
            achieved=ms.get("achieved") or "",
            note=_text(ms.get("note")),
            position=pos,
        )


def _load_allocations(ctx, items):
    for pos, item in enumerate(items):
        plan = ctx.plan if ctx.plan is not None and ctx.plan.year == item["year"] else None
        FundingAllocation.objects.create(
            ambito=ctx.ambito,
            zone_plan=ctx.zone_plan,
            operating_plan=plan,
            document=ctx.document,
            year=item["year"],
            stage=item.get("stage") or FundingAllocation.Stage.PLANNED,
            kind=item.get("kind") or FundingAllocation.Kind.INCOME,
            channel=ctx.channel(item.get("channel")),
            label=_text(item["label"]),
            group=_text(item.get("group")),
            restricted=bool(item.get("restricted")),
            amount=_money(item["amount"]),
            note=_text(item.get("note")),
            position=pos,
        )


def _load_surplus(ctx, items):
    for pos, item in enumerate(items):
        if ctx.plan is None:
            raise SeedError("avanzo senza piano operativo")
        objective = ctx.objectives.get(item.get("objective")) if item.get("objective") else None
        Surplus.objects.create(
            plan=ctx.plan,
            objective=objective,
            action=ctx.action(item.get("objective"), item.get("action")),
            description=_text(item["description"]),
            channel=ctx.channel(item.get("channel")),
            restricted=bool(item.get("restricted", True)),
            amount=_money(item["amount"]),
            position=pos,
        )


def _load_surplus_destination(ctx, item, surplus_items):
    """The Assemblea's destination of the plan's avanzo, as the document prints it.

    ``rows_from: "surplus"`` takes the rows from the document's avanzo table (Tab. 3 of
    the Consuntivo 2018); a vincolato row's target is the printed text (``target_text``)
    until an action of the next plan exists. Loaded from a document, the rows stay as
    printed even when they do not add up to the avanzo di gestione.
    """
    if not item:
        return
    if ctx.plan is None:
        raise SeedError("destinazione dell'avanzo senza piano operativo")
    rows = item.get("rows") or []
    if item.get("rows_from") == "surplus":
        rows = surplus_items
    destination = SurplusDestination.objects.create(
        plan=ctx.plan,
        state=item.get("state") or SurplusDestination.State.APPROVED,
        from_document=bool(item.get("from_document", True)),
        document=ctx.document,
        note=_text(item.get("note")),
    )
    default_target = _text(item.get("target_text"))
    for pos, row in enumerate(rows):
        restricted = bool(row.get("restricted", True))
        objective = ctx.objectives.get(row.get("objective")) if row.get("objective") else None
        SurplusDestinationRow.objects.create(
            destination=destination,
            description=_text(row["description"]),
            amount=_money(row["amount"]),
            restricted=restricted,
            channel=ctx.channel(row.get("channel")),
            source_objective=objective,
            source_action=ctx.action(row.get("objective"), row.get("action")),
            target_text=_text(row.get("target_text")) or (default_target if restricted else ""),
            reason=_text(row.get("reason")) or "Come stampato nel documento.",
            position=pos,
        )


def _load_kpis(ctx, items):
    for pos, item in enumerate(items):
        kpi, _ = Kpi.objects.update_or_create(
            ambito=ctx.ambito,
            name=_text(item["name"]),
            defaults={
                "document": ctx.document,
                "unit": item.get("unit") or Kpi.Unit.NUMBER,
                "note": _text(item.get("note")),
                "position": pos,
            },
        )
        for value in item.get("values", []):
            KpiValue.objects.update_or_create(
                kpi=kpi, year=value["year"], defaults={"value": _number(value["value"])}
            )


def _load_sections(ctx, items):
    for pos, item in enumerate(items):
        number = item.get("objective")
        section = Section.objects.create(
            document=ctx.document,
            key=item["key"],
            title=_text(item.get("title")),
            level=item.get("level") or 1,
            area=_area(ctx, item.get("area"), strict=False) if ctx.zone_plan else None,
            objective=ctx.objectives.get(number) if number else None,
            body=item.get("body") or "",
            position=pos,
        )
        ctx.sections[section.key] = section


def _load_tables(ctx, items):
    """Typed tables: numeric cells parsed the Italian way, text in them refused; every cell
    a rule computes is also a printed total (scope ``table:KEY:ROW:COLUMN``)."""
    for pos, item in enumerate(items):
        label = _text(item.get("section"))
        columns, kinds = item.get("columns", []), item.get("kinds", [])
        rules = item.get("rules", [])
        try:
            rows = tables.parse_rows(item["key"], columns, kinds, item.get("rows", []),
                                     source=item.get("_file", ""))
            tables.check_rules(item["key"], rows, kinds, rules, source=item.get("_file", ""))
        except tables.TableError as error:
            raise SeedError(str(error)) from None
        table = DataTable.objects.create(
            document=ctx.document,
            section=ctx.sections.get(label),
            section_label=label,
            key=item["key"],
            number=_text(item.get("number")),
            title=_text(item.get("title")),
            columns=columns,
            kinds=kinds,
            rows=rows,
            rules=rules,
            note=_text(item.get("note")),
            position=pos,
        )
        for scope, label_, printed, reason in tables.printed_figures(table):
            PrintedTotal.objects.create(document=ctx.document, scope=scope, label=label_,
                                        printed=printed, note=reason, position=10000 + pos)


def _load_printed_totals(ctx, items):
    for pos, item in enumerate(items):
        PrintedTotal.objects.create(
            document=ctx.document,
            scope=item["scope"],
            label=item["label"],
            printed=_money(item["printed"]),
            # The public explanation (Italian), printed with the footnote and on the
            # reconciliation page; a reviewer's source_note stays in the fixture.
            note=_text(item.get("explanation")),
            position=pos,
        )
