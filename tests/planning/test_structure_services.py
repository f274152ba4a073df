"""The plan's structure services: numbering, order, Italian refusals, nothing changed on refusal."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budget.models import BudgetLine
from core.concurrency import ConflictError
from indicators import structure as ind
from indicators.models import EvaluationCriterion, Indicator, Milestone
from objectives import structure as st
from objectives.models import Action, Objective, OperatingPlan, Referent, Section
from tests.builders import set_plan_state


def set_state(plan, state):
    set_plan_state(plan, state)
    plan.refresh_from_db()


REFUSAL = {"approvato": "si modificano solo nel piano in bozza",
           "chiuso": "è chiuso: non si può modificare"}


@pytest.fixture
def plan(world):
    return world.a[OperatingPlan]


@pytest.fixture
def staff(world):
    return world.user("staff_a")


def numbers(plan):
    return [(a.objective.number, a.number, a.title)
            for a in Action.objects.filter(objective__plan=plan)
            .select_related("objective").order_by("objective__number", "number")]


def test_objective_create_numbers_last_and_at_a_position(plan, staff):
    second = st.objective_create(plan=plan, user=staff, title="Secondo")
    assert second.number == 2
    first = st.objective_create(plan=plan, user=staff, title="Nuovo primo", position=1)
    assert first.number == 1
    titles = list(Objective.objects.filter(plan=plan).order_by("number")
                  .values_list("number", "title"))
    assert titles == [(1, "Nuovo primo"), (2, "Obiettivo alfa"), (3, "Secondo")]
    record = first.history.latest()
    assert record.history_user == staff and "Nuovo obiettivo" in record.history_change_reason


def test_actions_numbered_across_the_plan(plan, staff, world):
    one = world.a[Objective]
    two = st.objective_create(plan=plan, user=staff, title="Secondo")
    st.action_create(objective=two, user=staff, title="B1")
    st.action_create(objective=two, user=staff, title="B2")
    added = st.action_create(objective=one, user=staff, title="A2")
    assert added.number == 2
    assert numbers(plan) == [(1, 1, "Azione alfa"), (1, 2, "A2"), (2, 3, "B1"), (2, 4, "B2")]
    # Move the second objective first: the actions follow their objective.
    st.objective_move(objective=two, user=staff, direction=st.UP)
    assert numbers(plan) == [(1, 1, "B1"), (1, 2, "B2"), (2, 3, "Azione alfa"), (2, 4, "A2")]
    b2 = Action.objects.get(title="B2")
    st.action_move(action=b2, user=staff, direction=st.UP)
    assert numbers(plan) == [(1, 1, "B2"), (1, 2, "B1"), (2, 3, "Azione alfa"), (2, 4, "A2")]
    st.action_delete(action=Action.objects.get(title="B1"), user=staff)
    assert numbers(plan) == [(1, 1, "B2"), (2, 2, "Azione alfa"), (2, 3, "A2")]
    assert not st.action_move(action=Action.objects.get(title="A2"), user=staff,
                              direction=st.DOWN)


def test_actions_numbered_per_objective(plan, staff, world):
    OperatingPlan.objects.filter(pk=plan.pk).update(action_numbering="objective")
    plan.refresh_from_db()
    two = st.objective_create(plan=plan, user=staff, title="Secondo")
    st.action_create(objective=two, user=staff, title="B1")
    st.action_create(objective=world.a[Objective], user=staff, title="A2")
    st.action_create(objective=two, user=staff, title="B2")
    assert numbers(plan) == [(1, 1, "Azione alfa"), (1, 2, "A2"), (2, 1, "B1"), (2, 2, "B2")]
    st.action_move(action=Action.objects.get(title="B2"), user=staff, direction=st.UP)
    st.objective_delete(objective=world.a[Objective], user=staff, confirmed=True)
    assert numbers(plan) == [(1, 1, "B2"), (1, 2, "B1")]


def test_deleting_an_objective_with_amounts_asks_for_confirmation(plan, staff, world):
    objective = world.a[Objective]
    impact = st.delete_impact(objective=objective)
    assert impact["lines_with_amounts"] == 2 and impact["preventivo"] == Decimal("20.10")
    with pytest.raises(ValidationError) as refused:
        st.objective_delete(objective=objective, user=staff)
    assert "2 righe di budget con importi" in refused.value.messages[0]
    assert Objective.objects.filter(pk=objective.pk).exists()
    st.objective_delete(objective=objective, user=staff, confirmed=True)
    assert not BudgetLine.objects.filter(action__objective_id=objective.pk).exists()


def test_milestone_needs_a_date_or_a_periodicity_in_italian(plan, staff, world):
    objective = world.a[Objective]
    with pytest.raises(ValidationError) as neither:
        ind.milestone_create(objective=objective, user=staff, title="Avvio")
    assert neither.value.message_dict == {"due_date": ["Indicare una scadenza o una periodicità."]}
    with pytest.raises(ValidationError) as both:
        ind.milestone_create(objective=objective, user=staff, title="Avvio",
                             due_date=date(2030, 6, 30), periodicity="trimestrale")
    assert "non entrambe" in both.value.message_dict["due_date"][0]
    assert "milestone_date_or_periodicity" not in str(both.value)
    assert Milestone.objects.filter(objective=objective).count() == 1
    made = ind.milestone_create(objective=objective, user=staff, title="Avvio",
                                periodicity="semestrale")
    assert made.position == 1 and made.due_date is None  # after the builder's (0)


def test_model_constraint_speaks_italian_too(world):
    milestone = Milestone(objective=world.a[Objective], title="x", due_date=date(2030, 1, 1),
                          periodicity="trimestrale")
    with pytest.raises(ValidationError) as refused:
        milestone.validate_constraints()
    assert "Indicare una scadenza oppure una periodicità" in str(refused.value)


def test_italian_field_errors(plan, staff, world):
    objective = world.a[Objective]
    other_action = world.b[Action]
    with pytest.raises(ValidationError) as refused:
        st.objective_create(plan=plan, user=staff, title="  ")
    assert refused.value.message_dict == {"title": ["Indicare il titolo dell'obiettivo."]}
    with pytest.raises(ValidationError) as refused:
        ind.indicator_create(objective=objective, user=staff, name="N. utenti",
                             action=other_action)
    assert refused.value.message_dict == {"action": ["L'azione scelta non è di questo obiettivo."]}
    with pytest.raises(ValidationError) as refused:
        st.referent_create(objective=objective, user=staff, name="Rossi",
                           referent_user=world.user("staff_b"))
    assert "non ha un ruolo in questo ambito" in refused.value.message_dict["user"][0]


def test_indicator_range_and_referent(plan, staff, world):
    objective = world.a[Objective]
    indicator = ind.indicator_create(objective=objective, user=staff, name="Utenti presi in carico",
                                     kind="percentage", target="≥ 80%", periodicity="semestrale")
    assert indicator.position == 1 and indicator.kind == "percentage"
    criterion = ind.evaluation_range_create(objective=objective, user=staff, text="80-100%")
    assert criterion.position == 1  # after the builder's (0)
    ind.evaluation_range_move(criterion=criterion, user=staff, direction=st.UP)
    assert list(EvaluationCriterion.objects.filter(objective=objective)
                .order_by("position").values_list("text", flat=True)) == ["80-100%", "50%"]
    referent = st.referent_create(objective=objective, user=staff, name="Maria Bianchi",
                                  referent_user=world.user("referent_a"))
    assert referent.user == world.user("referent_a")


def test_stale_token_refused(plan, staff, world):
    objective = world.a[Objective]
    token = st.token_of(objective, st.OBJECTIVE_FIELDS)
    st.objective_update(objective=objective, user=world.user("superuser"), token=token,
                        title="Cambiato da un collega")
    with pytest.raises(ConflictError):
        st.objective_update(objective=objective, user=staff, token=token, title="Mio")
    objective.refresh_from_db()
    assert objective.title == "Cambiato da un collega"


@pytest.mark.parametrize("state", ["approvato", "chiuso"])
def test_refused_on_approved_and_closed_plans(plan, staff, world, state):
    set_state(plan, state)
    objective, action = world.a[Objective], world.a[Action]
    before = (numbers(plan), Objective.objects.count(), Referent.objects.count(),
              Indicator.objects.count(), Milestone.objects.count(), Section.objects.count())
    attempts = [
        lambda: st.objective_create(plan=plan, user=staff, title="Nuovo"),
        lambda: st.objective_update(objective=objective, user=staff, title="Nuovo"),
        lambda: st.objective_delete(objective=objective, user=staff, confirmed=True),
        lambda: st.action_create(objective=objective, user=staff, title="Nuova"),
        lambda: st.action_delete(action=action, user=staff, confirmed=True),
        lambda: st.referent_create(objective=objective, user=staff, name="X"),
        lambda: ind.indicator_create(objective=objective, user=staff, name="X"),
        lambda: ind.milestone_create(objective=objective, user=staff, title="X",
                                     periodicity="annuale"),
        lambda: st.section_create(plan=plan, user=staff, title="Premessa 2"),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError) as refused:
            attempt()
        assert REFUSAL[state] in refused.value.messages[0]
    after = (numbers(plan), Objective.objects.count(), Referent.objects.count(),
             Indicator.objects.count(), Milestone.objects.count(), Section.objects.count())
    assert after == before
    objective.refresh_from_db()
    assert objective.title == "Obiettivo alfa"


@pytest.mark.parametrize("role", ["referent_a", "assembly_a", "auditor_a", "staff_b"])
def test_only_staff_of_the_ambito_writes(plan, world, role):
    with pytest.raises(PermissionDenied) as refused:
        st.objective_create(plan=plan, user=world.user(role), title="Nuovo")
    assert "Non hai i permessi" in str(refused.value)
    assert Objective.objects.filter(plan=plan).count() == 1


def test_sections_written_in_the_plans_document(plan, staff, world):
    existing = world.a[Section]
    added = st.section_create(plan=plan, user=staff, title="Quadro istituzionale",
                              body="Testo **in grassetto**", level=1)
    assert added.document == existing.document and added.position > existing.position
    assert added.key == "quadro-istituzionale"
    st.section_move(plan=plan, section=added, user=staff, direction=st.UP)
    assert [s.title for s in st.plan_sections(plan=plan)] == ["Quadro istituzionale", "Premessa"]
    with pytest.raises(ValidationError) as refused:
        st.section_update(plan=plan, section=added, user=staff, level=7)
    assert "livello" in refused.value.message_dict["level"][0]
    with pytest.raises(PermissionDenied):
        st.section_update(plan=world.b[OperatingPlan], section=added,
                          user=world.user("staff_b"), title="Altrui")


def test_a_plan_without_document_gets_one(world, staff):
    plan = world.a[OperatingPlan]
    world.a[Section].document.delete()
    section = st.section_create(plan=plan, user=staff, title="Premessa", body="Testo")
    assert section.document.kind == "piano_operativo" and section.document.year == plan.year
    assert section.document.ambito == world.a.ambito
