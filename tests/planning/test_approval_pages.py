"""Approval from the plan page: blockers first, the act (new or chosen), the confirmation.

Also the Piano di Zona's approval, which takes «BOZZA» off its report.
"""

import html
import re
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import strip_tags

from budget.models import BudgetLine
from governance.models import Body, Deliberation
from objectives.models import Objective, OperatingPlan, ZonePlan
from objectives.services import plan_approve, zone_plan_approve

ROLES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a", "anonymous"]
APPROVERS = {"superuser", "staff_a", "assembly_a"}


def pdf():
    return SimpleUploadedFile("delibera.pdf", b"%PDF-1.4 atto", content_type="application/pdf")


def assembly_act(ambito, *, number="12", when=date(2030, 3, 1), approves="operating_plan"):
    return Deliberation.objects.create(
        ambito=ambito, body=Body.objects.get(ambito=ambito, kind=Body.Kind.MAYORS),
        number=number, date=when, subject="Approvazione", approves=approves, act=pdf(),
    )


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))


def in_main(html):
    """The page's <main> (the header's logout form is a POST on every page)."""
    return html.split("<main", 1)[1].split("</main>", 1)[0]


@pytest.fixture
def plan(world):
    return world.a[OperatingPlan]


@pytest.fixture
def zero_objective(plan):
    """An objective whose lines add to 0,00 € (as PO 2019's 15 objectives of 16 were)."""
    objective = Objective.objects.create(plan=plan, number=2, title="Senza risorse")
    action = objective.actions.create(number=2, title="Rete")
    BudgetLine.objects.create(action=action, item="Coordinamento", preventivo=Decimal("0"))
    return objective


def new_act_post(world, **overrides):
    data = {"mode": "new", "body": world.a[Body].pk, "number": "5/2030", "date": "2030-03-10",
            "subject": "Approvazione del PO 2030", "act": pdf(), "confirm": "on"}
    data.update(overrides)
    return data


def url(plan):
    return reverse("planning:plan_approve", args=[plan.pk])


@pytest.mark.parametrize("role", ROLES)
def test_who_opens_the_approval_page(client, world, plan, role):
    login(client, world, role)
    # Every role of the ambito opens it (a read view for referenti and revisori, issue 18);
    # other ambiti: 404.
    expected = {"anonymous": 302, "staff_b": 404}.get(role, 200)
    response = client.get(url(plan))
    assert response.status_code == expected
    page = client.get(reverse("objectives:plan_detail", args=[plan.pk]))
    if role in APPROVERS:
        assert "Approva il piano" in page.content.decode()
        assert 'method="post"' in in_main(response.content.decode())
    elif page.status_code == 200:
        assert "Approva il piano" not in page.content.decode()
        assert "Approvazione del piano" in page.content.decode()
        content = response.content.decode()
        assert "Sola lettura." in content and 'method="post"' not in in_main(content)
        assert "non è ancora registrato" in content


@pytest.mark.parametrize("role", ["referent_a", "auditor_a", "staff_b"])
def test_who_may_not_approve_changes_nothing(client, world, plan, role):
    login(client, world, role)
    before = Deliberation.objects.count()
    expected = 404 if role == "staff_b" else 403
    assert client.post(url(plan), new_act_post(world)).status_code == expected
    plan.refresh_from_db()
    assert plan.state == "bozza" and Deliberation.objects.count() == before


def test_the_link_is_only_on_a_draft(client, world, plan):
    client.force_login(world.user("staff_a"))
    plan_approve(plan=plan, deliberation=assembly_act(world.a.ambito), user=world.user("staff_a"))
    content = client.get(reverse("objectives:plan_detail", args=[plan.pk])).content.decode()
    assert "Approva il piano" not in content
    assert "Variazioni di bilancio" in content


def test_blockers_are_listed_first(client, world, plan, zero_objective):
    client.force_login(world.user("staff_a"))
    content = html.unescape(strip_tags(client.get(url(plan)).content.decode()))
    first = content.index("Che cosa blocca l'approvazione")
    assert content.index("L'obiettivo 2 non ha risorse") > first
    assert content.index("L'obiettivo 2 non ha risorse") < content.index("L'atto dell'Assemblea")


def test_an_empty_objective_is_refused_without_a_reason(client, world, plan, zero_objective):
    client.force_login(world.user("assembly_a"))
    before = Deliberation.objects.count()
    response = client.post(url(plan), new_act_post(world))
    assert response.status_code == 400
    assert "ha 0,00 € di risorse" in response.context["form"].errors[
        f"reason_{zero_objective.pk}"][0]
    plan.refresh_from_db()
    assert plan.state == "bozza" and Deliberation.objects.count() == before


def test_an_empty_objective_is_accepted_with_a_reason_kept_in_its_history(
    client, world, plan, zero_objective
):
    client.force_login(world.user("assembly_a"))
    response = client.post(url(plan), new_act_post(
        world, **{f"reason_{zero_objective.pk}": "Svolto dal personale dei Comuni"}))
    assert response.status_code == 302
    plan.refresh_from_db()
    act = Deliberation.objects.get(number="5/2030")
    assert (plan.state, plan.approval) == ("approvato", act)
    assert act.approves == "operating_plan" and act.ambito == world.a.ambito
    record = zero_objective.history.first()
    assert record.history_user == world.user("assembly_a")
    assert record.history_change_reason.endswith(": Svolto dal personale dei Comuni")
    assert plan.history.first().history_change_reason == f"Approvato con {act}"


def test_the_service_refuses_an_empty_objective_without_reason(world, plan, zero_objective):
    with pytest.raises(ValidationError, match="L'obiettivo 2 non ha risorse"):
        plan_approve(plan=plan, deliberation=assembly_act(world.a.ambito),
                     user=world.user("staff_a"))
    plan.refresh_from_db()
    assert plan.state == "bozza"


def test_an_act_dated_before_the_plan_year_is_refused(client, world, plan):
    client.force_login(world.user("staff_a"))
    response = client.post(url(plan), new_act_post(world, date="2029-12-31"))
    assert response.status_code == 400
    assert "si accettano solo atti dal 01/01/2030" in response.context["form"].errors["date"][0]
    plan.refresh_from_db()
    assert plan.state == "bozza"
    old = assembly_act(world.a.ambito, number="3", when=date(2029, 11, 5))
    with pytest.raises(ValidationError, match="dal 01/01/2030"):
        plan_approve(plan=plan, deliberation=old, user=world.user("staff_a"))
    # nor can it be chosen on the page
    response = client.post(url(plan), {"mode": "existing", "existing": old.pk, "confirm": "on"})
    assert response.status_code == 400 and "existing" in response.context["form"].errors


def test_an_act_of_another_ambito_cannot_be_chosen(client, world, plan):
    client.force_login(world.user("superuser"))
    foreign = assembly_act(world.b.ambito, number="44")
    response = client.post(url(plan), {"mode": "existing", "existing": foreign.pk,
                                       "confirm": "on"})
    assert response.status_code == 400 and "existing" in response.context["form"].errors
    with pytest.raises(ValidationError, match="non appartiene"):
        plan_approve(plan=plan, deliberation=foreign, user=world.user("superuser"))
    plan.refresh_from_db()
    assert plan.state == "bozza"


def test_a_duplicate_new_act_is_refused_and_the_registered_one_can_be_chosen(
    client, world, plan
):
    client.force_login(world.user("staff_a"))
    existing = assembly_act(world.a.ambito, number="5/2030", when=date(2030, 3, 10))
    before = Deliberation.objects.count()
    response = client.post(url(plan), new_act_post(world))
    assert response.status_code == 400
    assert "Esiste già" in response.context["form"].errors["number"][0]
    assert Deliberation.objects.count() == before
    response = client.post(url(plan), {"mode": "existing", "existing": existing.pk,
                                       "confirm": "on"})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.approval == existing


def test_the_confirmation_is_required(client, world, plan):
    client.force_login(world.user("staff_a"))
    data = new_act_post(world)
    del data["confirm"]
    response = client.post(url(plan), data)
    assert response.status_code == 400 and "confirm" in response.context["form"].errors
    plan.refresh_from_db()
    assert plan.state == "bozza"


def test_a_failed_approval_leaves_no_new_act(client, world, plan):
    """The act is created in the same step: if the approval fails, it is not kept."""
    client.force_login(world.user("staff_a"))
    Objective.objects.create(plan=plan, number=3, title="Senza tabella risorse")
    before = Deliberation.objects.count()
    response = client.post(url(plan), new_act_post(world))
    assert response.status_code == 400
    assert "non ha righe di budget" in " ".join(response.context["form"].non_field_errors())
    assert Deliberation.objects.count() == before


# --- Piano di Zona ---------------------------------------------------------------------


def cover_text(zone_plan):
    from reports.builders import build_zone_plan
    from reports.rendering import render_html

    text = render_html(build_zone_plan(zone_plan))
    first_page = text.split('<nav class="toc', 1)[0]  # the cover, before the contents
    return re.sub(r"\s+", " ", html.unescape(strip_tags(first_page)))


def test_zone_plan_approval_takes_bozza_off_its_report(client, world):
    zone_plan = world.a[ZonePlan]
    assert "BOZZA" in cover_text(zone_plan)
    client.force_login(world.user("staff_a"))
    page = client.get(reverse("objectives:plan_detail", args=[world.a[OperatingPlan].pk]))
    assert "Registra l'approvazione del Piano di Zona" in page.content.decode()
    response = client.post(reverse("planning:zone_plan_approve", args=[zone_plan.pk]), {
        "mode": "new", "issuer": "Accordo di programma", "number": "", "date": "2029-12-15",
        "subject": "Accordo di programma per il PdZ alfa", "confirm": "on",
    })
    assert response.status_code == 302
    zone_plan.refresh_from_db()
    assert zone_plan.approval.issuer == "Accordo di programma"
    assert zone_plan.approval.approves == "zone_plan"
    assert zone_plan.approved_on == date(2029, 12, 15)
    text = cover_text(zone_plan)
    assert "BOZZA" not in text
    assert "approvato con Accordo di programma del 15 dicembre 2029" in text
    assert zone_plan.history.first().history_user == world.user("staff_a")


def test_zone_plan_act_rules(client, world):
    zone_plan = world.a[ZonePlan]  # 2030-2032: the Accordo may be of 2029, not earlier
    client.force_login(world.user("staff_a"))
    response = client.post(reverse("planning:zone_plan_approve", args=[zone_plan.pk]), {
        "mode": "new", "issuer": "Accordo di programma", "date": "2028-12-15",
        "subject": "Accordo", "confirm": "on",
    })
    assert response.status_code == 400
    assert "dal 01/01/2029" in response.context["form"].errors["date"][0]
    with pytest.raises(ValidationError, match="non appartiene"):
        zone_plan_approve(zone_plan=zone_plan, user=world.user("superuser"),
                          deliberation=assembly_act(world.b.ambito, approves="zone_plan"))
    zone_plan.refresh_from_db()
    assert zone_plan.approval is None


@pytest.mark.parametrize("role", ["referent_a", "auditor_a", "staff_b"])
def test_zone_plan_approval_refused_to_other_roles(client, world, role):
    client.force_login(world.user(role))
    target = reverse("planning:zone_plan_approve", args=[world.a[ZonePlan].pk])
    # Roles of the ambito read its state (issue 18); other ambiti: 404.
    response = client.get(target)
    assert response.status_code == (404 if role == "staff_b" else 200)
    if role != "staff_b":
        assert 'method="post"' not in in_main(response.content.decode())
