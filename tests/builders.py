"""Test data: one complete Ambito with an object of every model, built through the ORM."""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model

from budget.models import (
    AgencyYearFigure,
    BudgetLine,
    ChannelReference,
    FundingAllocation,
    FundingChannel,
    Surplus,
    SurplusDestination,
    SurplusDestinationRow,
    Variation,
)
from classification.models import Assignment, Code
from governance.models import (
    Ambito,
    Body,
    BodyMember,
    Deliberation,
    Meeting,
    Membership,
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
from returns.models import ReturnTemplate, SentReturn


@dataclass
class AmbitoData:
    ambito: Ambito
    objects: dict = field(default_factory=dict)  # model class -> one instance

    def __getitem__(self, model):
        return self.objects[model]


def _reference_code(dimension, code):
    """A code of the reviewed reference data, loaded again when a live-server test flushed
    the database (the seeds' reload puts it back for the rest of the suite)."""
    found = Code.objects.filter(dimension__code=dimension, code=code).first()
    if found is None:
        from seeds.loader import load_reference_data

        load_reference_data()
        found = Code.objects.get(dimension__code=dimension, code=code)
    return found


def build_ambito(slug, *, year=2030, lines_per_action=2):
    """An Ambito with a zone plan, an operating plan in draft and one row of every model."""
    o = {}
    ambito = Ambito.objects.create(slug=slug, name=f"Ambito {slug}", region="Lombardia")
    o[Ambito] = ambito
    o[SubAmbito] = SubAmbito.objects.create(ambito=ambito, name=f"Sub {slug}")
    o[Municipality] = Municipality.objects.create(
        ambito=ambito, sub_ambito=o[SubAmbito], name=f"Comune {slug}"
    )
    o[PopulationFigure] = PopulationFigure.objects.create(
        municipality=o[Municipality], year=year, value=1000
    )
    o[MunicipalSpending] = MunicipalSpending.objects.create(
        municipality=o[Municipality], year=year, amount=Decimal("1000.00")
    )
    o[Organisation] = Organisation.objects.create(ambito=ambito, name=f"Ente {slug}")
    o[Body] = Body.objects.create(ambito=ambito, name=f"Assemblea {slug}", kind="assemblea_sindaci")
    o[BodyMember] = BodyMember.objects.create(body=o[Body], name=f"Sindaco {slug}")
    o[Meeting] = Meeting.objects.create(body=o[Body], date=date(year, 1, 15))
    o[Deliberation] = Deliberation.objects.create(
        ambito=ambito, body=o[Body], number="1", date=date(year, 2, 1), subject="Approvazione"
    )
    o[SourceDocument] = SourceDocument.objects.create(
        ambito=ambito, key=f"doc-{slug}", kind="piano_operativo", title=f"PO {slug}", year=year
    )
    o[PrintedTotal] = PrintedTotal.objects.create(
        document=o[SourceDocument], scope="plan:preventivo", label="Totale", printed=Decimal("1")
    )
    o[ZonePlan] = ZonePlan.objects.create(
        ambito=ambito, title=f"PdZ {slug}", start_year=year, end_year=year + 2
    )
    o[Area] = Area.objects.create(zone_plan=o[ZonePlan], name=f"Area {slug}")
    o[PolicyGoal] = PolicyGoal.objects.create(area=o[Area], title=f"Obiettivo di area {slug}")
    o[OperatingPlan] = OperatingPlan.objects.create(
        zone_plan=o[ZonePlan], year=year, title=f"PO {year} {slug}"
    )
    o[Objective] = Objective.objects.create(
        plan=o[OperatingPlan], area=o[Area], number=1, title=f"Obiettivo {slug}"
    )
    o[Action] = Action.objects.create(objective=o[Objective], number=1, title=f"Azione {slug}")
    o[Referent] = Referent.objects.create(objective=o[Objective], name=f"Referente {slug}")
    o[Section] = Section.objects.create(
        document=o[SourceDocument], key="premessa", title="Premessa"
    )
    o[DataTable] = DataTable.objects.create(
        document=o[SourceDocument], key="tab-1", columns=["a"], rows=[["1"]]
    )
    o[FundingChannel] = FundingChannel.objects.create(ambito=ambito, code="FNPS", name="FNPS")
    o[ChannelReference] = ChannelReference.objects.create(
        channel=o[FundingChannel], year=year, reference="DGR"
    )
    o[FundingAllocation] = FundingAllocation.objects.create(
        ambito=ambito, operating_plan=o[OperatingPlan], year=year, channel=o[FundingChannel],
        label="FNPS", amount=Decimal("100.00"),
    )
    lines = [
        BudgetLine.objects.create(
            action=o[Action], item=f"Voce {n}", preventivo=Decimal("10.05"), position=n
        )
        for n in range(lines_per_action)
    ]
    o[BudgetLine] = lines[0]
    multi = _reference_code("gestione", "ASS")
    o[Assignment] = Assignment.objects.create(
        action=o[Action], dimension=multi.dimension, code=multi, reason="Prova"
    )
    o[ReturnTemplate] = ReturnTemplate.objects.create(
        ambito=ambito, key=f"modello-{slug}", name=f"Modello {slug}", row_dimension="gestione"
    )
    o[SentReturn] = SentReturn.objects.create(
        ambito=ambito, template=o[ReturnTemplate], year=year, file=f"returns/{slug}.csv",
        sha256="0" * 64, grand_total=Decimal("0.00"),
    )
    o[Variation] = Variation.objects.create(
        plan=o[OperatingPlan], line=lines[0], subject="Variazione",
        previous_amount=Decimal("10.05"), new_amount=Decimal("10.05"), reason="Prova",
        deliberation=o[Deliberation],
    )
    o[Surplus] = Surplus.objects.create(
        plan=o[OperatingPlan], objective=o[Objective], action=o[Action],
        description="Avanzo", amount=Decimal("5.00"),
    )
    o[SurplusDestination] = SurplusDestination.objects.create(plan=o[OperatingPlan])
    o[SurplusDestinationRow] = SurplusDestinationRow.objects.create(
        destination=o[SurplusDestination], description="Avanzo non vincolato",
        amount=Decimal("5.00"), restricted=False,
    )
    o[AgencyYearFigure] = AgencyYearFigure.objects.create(
        ambito=ambito, organisation=o[Organisation], year=year, kind="ricavi", amount=Decimal("1")
    )
    o[Indicator] = Indicator.objects.create(
        objective=o[Objective], action=o[Action], name="N° utenti"
    )
    o[Measurement] = Measurement.objects.create(
        indicator=o[Indicator], period_end=date(year, 3, 31), value=Decimal("7")
    )
    o[Milestone] = Milestone.objects.create(objective=o[Objective], title="Traguardo")
    o[EvaluationCriterion] = EvaluationCriterion.objects.create(objective=o[Objective], text="50%")
    o[Kpi] = Kpi.objects.create(ambito=ambito, name="Spesa pro capite")
    o[KpiValue] = KpiValue.objects.create(kpi=o[Kpi], year=year, value=Decimal("100"))
    return AmbitoData(ambito, o)


def make_user(username, *, ambito=None, role=None, superuser=False):
    user = get_user_model().objects.create_user(
        username=username, password="a-long-test-password", is_staff=True, is_superuser=superuser
    )
    if ambito is not None:
        Membership.objects.create(user=user, ambito=ambito, role=role)
    return user


def set_plan_state(plan, state):
    """Put ``plan`` in ``state`` directly: test set-up that skips the services (the freeze
    rule lets only the approval and the closing move a plan, or a loader)."""
    from core import freeze

    with freeze.allow(freeze.LOADING):
        OperatingPlan.objects.filter(pk=plan.pk).update(state=state)
