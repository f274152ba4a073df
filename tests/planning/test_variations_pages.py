"""Variations from the budget grid of an approved plan, the printable list, the admin form."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse

from budget.admin_forms import VariationForm as AdminVariationForm
from budget.admin_forms import budget_line_label
from budget.models import BudgetLine, Variation
from governance.models import Body, Deliberation
from objectives.models import Action, Objective, OperatingPlan
from objectives.services import plan_approve

ROLES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a", "anonymous"]
EDITORS = {"superuser", "staff_a"}
READERS = {"superuser", "staff_a", "referent_a", "assembly_a", "auditor_a"}  # issue 18
D = Decimal


def act(ambito, *, number="12", when=date(2030, 3, 1), approves="operating_plan"):
    return Deliberation.objects.create(
        ambito=ambito, body=Body.objects.get(ambito=ambito, kind=Body.Kind.MAYORS),
        number=number, date=when, subject="Atto", approves=approves,
        act=SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf"),
    )


@pytest.fixture
def plan(world):
    plan = world.a[OperatingPlan]
    Variation.objects.all().delete()  # the builders' sample rows (alfa and beta)
    plan_approve(plan=plan, deliberation=act(world.a.ambito), user=world.user("staff_a"))
    plan.refresh_from_db()
    return plan


@pytest.fixture
def line(world, plan):
    return world.a[BudgetLine]  # «Voce 0», 10,05 €


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))


def variation_post(world, **overrides):
    data = {"new_amount": "12,34", "reason": "Più ore di coordinamento", "mode": "new",
            "body": world.a[Body].pk, "number": "8/2030", "date": "2030-06-20",
            "subject": "Variazione di bilancio"}
    data.update(overrides)
    return data


def create_url(line):
    return reverse("planning:variation_create", args=[line.pk])


@pytest.mark.parametrize("role", ROLES)
def test_who_records_a_variation(client, world, line, role):
    login(client, world, role)
    expected = {"anonymous": 302, "staff_b": 404}.get(role, 200 if role in EDITORS else 403)
    assert client.get(create_url(line)).status_code == expected
    response = client.post(create_url(line), variation_post(world))
    line.refresh_from_db()
    if role in EDITORS:
        assert response.status_code == 302
        assert line.preventivo == D("12.34")
    else:
        assert response.status_code == expected
        assert line.preventivo == D("10.05") and not Variation.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_variations_list(client, world, plan, role):
    login(client, world, role)
    expected = {"anonymous": 302, "staff_b": 404}.get(role, 200 if role in READERS else 403)
    assert client.get(reverse("planning:variation_list", args=[plan.pk])).status_code == expected


def test_a_variation_to_the_cent_approved_and_current_side_by_side(client, world, plan, line):
    client.force_login(world.user("staff_a"))
    page = client.get(create_url(line)).content.decode()
    assert "PO 2030 · Ob. 1 · Az. 1 · Voce 0" in page
    response = client.post(create_url(line), variation_post(world))
    assert response.status_code == 302
    assert response.url == reverse("budget:entry", args=[line.action.objective_id])
    variation = Variation.objects.get()
    assert (variation.previous_amount, variation.new_amount) == (D("10.05"), D("12.34"))
    assert variation.difference == D("2.29")
    assert variation.deliberation.number == "8/2030"
    assert variation.deliberation.approves == "variation"
    assert variation.created_by == world.user("staff_a")
    line.refresh_from_db()
    assert line.preventivo == D("12.34")
    assert line.history.first().history_change_reason == "Variazione: Più ore di coordinamento"

    page = client.get(create_url(line))
    assert page.context["line"].approved_preventivo == D("10.05")
    content = page.content.decode()
    assert 'id="approved-preventivo">10,05 €' in content
    assert 'id="current-preventivo">12,34 €' in content

    listing = client.get(reverse("planning:variation_list", args=[plan.pk])).content.decode()
    assert 'id="plan-approved">20,10 €' in listing  # two lines of 10,05
    assert 'id="plan-current">22,39 €' in listing
    assert 'id="total-difference">2,29 €' in listing
    assert "Più ore di coordinamento" in listing and "20/06/2030" in listing
    assert "variations-print.css" in listing


def test_two_variations_add_up(client, world, plan, line):
    client.force_login(world.user("staff_a"))
    existing = act(world.a.ambito, number="9/2030", when=date(2030, 7, 1), approves="variation")
    client.post(create_url(line), variation_post(world))
    client.post(create_url(line), {"new_amount": "5,00", "reason": "Riduzione", "mode": "existing",
                                   "existing": existing.pk})
    line.refresh_from_db()
    assert line.preventivo == D("5.00")
    listing = client.get(reverse("planning:variation_list", args=[plan.pk]))
    assert listing.context["difference"] == D("-5.05")
    assert listing.context["versions"]["approvato"] == D("20.10")
    assert listing.context["versions"]["attuale"] == D("15.05")


@pytest.mark.parametrize("when, message", [
    ("2029-12-31", "dal 01/01/2030"),
    ("2032-01-10", "fino al 31/12/2031"),
])
def test_an_act_out_of_the_plan_years_is_refused(client, world, line, when, message):
    client.force_login(world.user("staff_a"))
    response = client.post(create_url(line), variation_post(world, date=when))
    assert response.status_code == 400
    assert message in response.context["form"].errors["date"][0]
    line.refresh_from_db()
    assert line.preventivo == D("10.05") and not Variation.objects.exists()


def test_existing_acts_offered_are_of_the_ambito_and_the_plan_years(client, world, line):
    client.force_login(world.user("superuser"))
    good = act(world.a.ambito, number="1/2031", when=date(2031, 2, 1))
    old = act(world.a.ambito, number="2/2019", when=date(2019, 3, 25))
    foreign = act(world.b.ambito, number="3/2030")
    choices = client.get(create_url(line)).context["form"].fields["existing"].queryset
    assert good in choices and old not in choices and foreign not in choices
    for refused in (old, foreign):
        response = client.post(create_url(line), {"new_amount": "1,00", "reason": "x",
                                                   "mode": "existing", "existing": refused.pk})
        assert response.status_code == 400 and "existing" in response.context["form"].errors
    assert not Variation.objects.exists()


def test_bad_amounts_and_missing_reason_are_refused_at_the_field(client, world, line):
    client.force_login(world.user("staff_a"))
    response = client.post(create_url(line), variation_post(world, new_amount="dieci",
                                                            reason=""))
    errors = response.context["form"].errors
    assert "non è un numero valido" in errors["new_amount"][0]
    assert errors["reason"] == ["Indicare la motivazione della variazione."]
    response = client.post(create_url(line), variation_post(world, new_amount="10,05"))
    assert "uguale a quello attuale" in response.context["form"].errors["new_amount"][0]
    assert not Variation.objects.exists() and not Deliberation.objects.filter(
        number="8/2030").exists()


def test_a_draft_plan_has_no_variations(client, world):
    client.force_login(world.user("staff_a"))
    line = world.a[BudgetLine]
    response = client.post(create_url(line), variation_post(world))
    assert response.status_code == 400
    assert "solo su un piano approvato" in " ".join(response.context["form"].non_field_errors())
    line.refresh_from_db()
    assert line.preventivo == D("10.05")


def test_a_new_line_by_variation(client, world, plan):
    client.force_login(world.user("staff_a"))
    action = world.a[Action]
    target = reverse("planning:variation_add_line", args=[action.pk])
    assert client.get(target).status_code == 200
    response = client.post(target, {**variation_post(world, reason="Nuovo servizio"),
                                    "item": "Trasporto", "note": "", "channel": "",
                                    "amount": "1.000,50"})
    assert response.status_code == 302
    line = BudgetLine.objects.get(item="Trasporto")
    assert line.preventivo == D("1000.50")
    variation = Variation.objects.get(line=line)
    assert (variation.previous_amount, variation.new_amount) == (D("0.00"), D("1000.50"))
    client.force_login(world.user("assembly_a"))
    assert client.get(target).status_code == 403


@pytest.mark.parametrize("role, shown", [("staff_a", True), ("assembly_a", False)])
def test_the_grid_offers_varia_to_the_staff_of_an_approved_plan(client, world, plan, role,
                                                                  shown):
    client.force_login(world.user(role))
    content = client.get(reverse("budget:entry", args=[world.a[Objective].pk])).content.decode()
    assert (create_url(world.a[BudgetLine]) in content) is shown


def test_the_grid_of_a_draft_has_no_varia(client, world):
    client.force_login(world.user("staff_a"))
    content = client.get(reverse("budget:entry", args=[world.a[Objective].pk])).content.decode()
    assert "/variazione/" not in content


# --- The admin's variation form ---------------------------------------------------------


def admin_form(world, user, data=None):
    from django.contrib import admin

    request = RequestFactory().get("/")
    request.user = user
    form_class = admin.site._registry[Variation].get_form(request)
    return form_class(data)


def test_admin_lines_are_of_approved_plans_of_the_users_ambiti_with_labels(world, plan):
    form = admin_form(world, world.user("staff_a"))
    lines = list(form.fields["line"].queryset)
    assert lines and all(line.action.objective.plan == plan for line in lines)
    labels = [label for _, label in form.fields["line"].choices][1:]
    assert labels[0] == "PO 2030 · Ob. 1 · Az. 1 · Voce 0"
    assert budget_line_label(lines[0]) == labels[0]
    form_b = admin_form(world, world.user("staff_b"))
    assert not form_b.fields["line"].queryset.filter(pk=lines[0].pk).exists()


def test_admin_refuses_an_act_of_a_later_year(world, plan, line):
    late = Deliberation.objects.create(ambito=world.a.ambito, issuer="Regione Lombardia",
                                       number="XI/1448", date=date(2034, 3, 25), subject="DGR")
    form = admin_form(world, world.user("staff_a"), {
        "line": line.pk, "new_amount": "11.00", "reason": "prova", "deliberation": late.pk,
    })
    assert not form.is_valid()
    assert "fino al 31/12/2031" in " ".join(form.non_field_errors())
    assert issubclass(type(form), AdminVariationForm)
