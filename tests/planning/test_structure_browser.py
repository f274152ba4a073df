"""The plan's structure built in a real browser, with axe-core at 1280 and 390 px.

Staff add an objective with two actions, a referente, an indicator with a range and a
milestone, and write a section with its preview, never opening /admin/.
"""

import os
import re
import tempfile
from datetime import date

import pytest

from indicators.models import EvaluationCriterion, Indicator, Milestone
from objectives.models import Action, Objective, OperatingPlan, Referent, Section

from ..browser import check_axe

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]

SHOTS = os.environ.get("STRUCTURE_SHOTS",
                       os.path.join(tempfile.gettempdir(), "structure-shots"))


def shot(page, name):
    os.makedirs(SHOTS, exist_ok=True)
    page.screenshot(path=f"{SHOTS}/{name}-{page.viewport_size['width']}.png", full_page=True)


def checked(page, name):
    assert "/admin/" not in page.url
    check_axe(page)
    shot(page, name)


def submit(page, text):
    page.get_by_role("button", name=text, exact=True).click()
    page.wait_for_load_state()


def test_staff_build_an_objective_and_write_a_section(world, open_page):
    plan = world.a[OperatingPlan]
    page = open_page("staff_a")
    page.goto(f"{page.base}/piani/{plan.pk}/")
    page.get_by_role("link", name="Struttura del piano").click()
    page.wait_for_url(re.compile(r"/struttura/$"))
    checked(page, "plan")

    page.get_by_role("link", name="Aggiungi un obiettivo").click()
    checked(page, "objective-form")
    page.fill("#id_title", "Inclusione lavorativa delle persone fragili")
    page.fill("#id_short_title", "Inclusione lavorativa")
    page.fill("#id_timing", "Da gennaio a dicembre")
    submit(page, "Aggiungi")
    page.wait_for_selector(".alert-success")
    objective = Objective.objects.get(plan=plan, short_title="Inclusione lavorativa")
    assert objective.number == 2

    page.get_by_role("link", name="Inclusione lavorativa").click()
    page.wait_for_url(re.compile(rf"/struttura/obiettivi/{objective.pk}/$"))
    for title in ("Tirocini di inclusione", "Laboratori occupazionali"):
        page.get_by_role("link", name="Aggiungi un'azione").click()
        page.fill("#id_title", title)
        submit(page, "Aggiungi")
        page.wait_for_selector(".alert-success")
    # Numbered across the plan: objective 1 holds action 1.
    assert list(objective.actions.order_by("number").values_list("number", "title")) == [
        (2, "Tirocini di inclusione"), (3, "Laboratori occupazionali")]

    page.get_by_role("link", name="Aggiungi un referente").click()
    page.fill("#id_name", "Maria Bianchi")
    page.select_option("#id_organisation", label="Ente alfa")
    page.fill("#id_organisation_label", "per il Servizio Sociale Territoriale")
    page.select_option("#id_referent_user", label="referent_a")
    checked(page, "referent-form")
    submit(page, "Aggiungi")
    page.wait_for_selector(".alert-success")

    page.get_by_role("link", name="Aggiungi un indicatore").click()
    page.fill("#id_name", "Persone avviate al tirocinio sul totale delle prese in carico")
    page.select_option("#id_kind", "percentage")
    page.fill("#id_target", "almeno 30%")
    page.select_option("#id_periodicity", "semestrale")
    page.select_option("#id_action", label="Azione 2: Tirocini di inclusione")
    submit(page, "Aggiungi")
    page.wait_for_selector(".alert-success")

    page.get_by_role("link", name="Aggiungi un range").click()
    page.fill("#id_text", "30-100%: obiettivo raggiunto")
    submit(page, "Aggiungi")
    page.wait_for_selector(".alert-success")

    page.get_by_role("link", name="Aggiungi un traguardo").click()
    page.fill("#id_title", "Avvio dei primi dieci tirocini")
    submit(page, "Aggiungi")  # neither date nor periodicity: refused at the field
    page.wait_for_selector("#id_due_date-error")
    assert page.text_content("#id_due_date-error").strip() == (
        "Indicare una scadenza o una periodicità.")
    checked(page, "milestone-error")
    page.fill("#id_due_date", f"{plan.year}-06-30")
    submit(page, "Aggiungi")
    page.wait_for_selector(".alert-success")
    checked(page, "objective")

    referent = Referent.objects.get(objective=objective)
    assert referent.user == world.user("referent_a") and referent.organisation.name == "Ente alfa"
    indicator = Indicator.objects.get(objective=objective)
    assert (indicator.kind, indicator.periodicity, indicator.action.title) == (
        "percentage", "semestrale", "Tirocini di inclusione")
    assert EvaluationCriterion.objects.get(objective=objective).text.startswith("30-100%")
    assert Milestone.objects.get(objective=objective).due_date == date(plan.year, 6, 30)

    page.goto(f"{page.base}/piani/{plan.pk}/struttura/")
    page.get_by_role("link", name="Aggiungi un testo").click()
    page.fill("#id_title", "Quadro istituzionale")
    page.fill("#id_body", "Il piano **si inserisce** nel quadro della legge regionale.\n\n"
                          "- primo punto\n- secondo punto\n\n<script>alert(1)</script>")
    submit(page, "Anteprima")
    page.wait_for_selector("#anteprima")
    assert page.locator("#anteprima strong").inner_text() == "si inserisce"
    assert page.locator("#anteprima script").count() == 0
    checked(page, "section-preview")
    assert not Section.objects.filter(title="Quadro istituzionale").exists()
    submit(page, "Salva il testo")
    page.wait_for_selector(".alert-success")
    section = Section.objects.get(title="Quadro istituzionale")
    assert "**si inserisce**" in section.body
    assert section.document.year == plan.year


def test_structure_pages_on_a_phone(world, open_page):
    plan, objective = world.a[OperatingPlan], world.a[Objective]
    Action.objects.create(objective=objective, number=2, title="Seconda azione")
    page = open_page("staff_a", width=390)
    for path, name in ((f"/piani/{plan.pk}/struttura/", "plan"),
                       (f"/struttura/obiettivi/{objective.pk}/", "objective"),
                       (f"/struttura/traguardi/in/{objective.pk}/nuovo/", "milestone-form"),
                       (f"/struttura/obiettivi/{objective.pk}/elimina/", "objective-delete"),
                       (f"/piani/{plan.pk}/struttura/testi/{world.a[Section].pk}/",
                        "section-form")):
        response = page.goto(page.base + path)
        assert response.status < 400, path
        checked(page, name)
    page.goto(f"{page.base}/struttura/obiettivi/{objective.pk}/")
    page.get_by_role("button", name="Giù (Azione 1: Azione alfa)").click()
    page.wait_for_load_state()
    assert list(objective.actions.order_by("number").values_list("title", flat=True)) == [
        "Seconda azione", "Azione alfa"]


def test_referent_reads_without_controls(world, open_page):
    plan = world.a[OperatingPlan]
    page = open_page("referent_a", width=390)
    page.goto(f"{page.base}/piani/{plan.pk}/struttura/")
    assert page.get_by_role("link", name="Aggiungi un obiettivo").count() == 0
    checked(page, "plan-readonly")
