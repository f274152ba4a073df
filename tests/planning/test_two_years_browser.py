"""Issue 17, "Done when": two years of the cremasco ambito lived in a real browser.

Never opening /admin/, the roles carry the seed's Consuntivo 2018 into a PO 2019 and
close 2019 into a PO 2020:

1. PO 2019 from PO 2018 with last year's preventivi ("Nuovo piano per il 2019"): the
   pages offer it only while PO 2019 does not exist, and the closing of 2018 would
   create an empty PO 2019 (budget/services.py year_close), so the carry comes first;
2. 2018 closed from the closing page with the seed's destination (Tab. 3), its rows
   linked to the PO 2019 actions;
3. a new objective with two actions, a referente, an indicator, a milestone and three
   budget lines on different channels;
4. PO 2019 approved with a new act;  5. one variation from the budget grid;
6. the referente's Q1–Q4 values (one N.D.);
7. consuntivo on the grids and the accertate entrate (the «Entrate per canale» page);
8. PO 2020 from PO 2019, then 2019 closed with a destination that differs from the
   proposal (part of the non vincolato earmarked for an action of PO 2020);
9. PO 2020 holds the 2019 avanzo as entrate linked to its actions.

Every amount is asserted to the cent against figures computed here from the seed and
the data typed. Clicks and fields per step are counted and printed (pytest -s).

The live server needs committed data, so this test flushes the database; the seed
documents the rest of the suite relies on are loaded again when the module ends.
"""

import re
import tempfile
import time
from collections import defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.db.models import Sum

from budget.models import (
    BudgetLine,
    FundingAllocation,
    FundingChannel,
    Surplus,
    SurplusDestination,
    Variation,
)
from core import freeze
from core.roles import Role
from governance.models import Deliberation
from indicators.models import Indicator, Measurement, Milestone
from objectives.models import Action, Objective, OperatingPlan, Referent

from ..browser import check_axe
from ..builders import make_user, set_plan_state
from .conftest import logged_in_page

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("reload_seeds_afterwards")]

D = Decimal
CENT = D("0.01")
SHOTS = Path(tempfile.gettempdir())


def euro(amount):
    """1.234.567,89 € (the app's format), computed here independently."""
    whole, cents = f"{D(amount).quantize(CENT):.2f}".split(".")
    sign = "-" if whole.startswith("-") else ""
    whole = whole.lstrip("-")
    groups = []
    while whole:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    return f"{sign}{'.'.join(groups)},{cents} €"


def typed(amount):
    """How staff type an amount: 1.234,56."""
    return euro(amount)[:-2]


class Walk:
    """The user's hands: every click and every field typed or chosen is counted per step."""

    def __init__(self):
        self.counts = defaultdict(lambda: {"click": 0, "field": 0, "pages": 0})
        self.current = None
        self.order = []
        self.seconds = {}
        self.mark = time.monotonic()

    def step(self, name):
        now = time.monotonic()
        if self.current is not None:
            self.seconds[self.current] = now - self.mark
        self.mark = now
        self.current = name
        self.order.append(name)

    def table(self):
        self.step(None)
        self.order.pop()
        lines = [f"{'Passo':<62} {'clic':>5} {'campi':>6} {'URL':>4} {'s':>5}"]
        total = {"click": 0, "field": 0, "pages": 0}
        for name in self.order:
            c = self.counts[name]
            lines.append(f"{name:<62} {c['click']:>5} {c['field']:>6} {c['pages']:>4} "
                         f"{self.seconds.get(name, 0):>5.1f}")
            for key in total:
                total[key] += c[key]
        lines.append(f"{'Totale':<62} {total['click']:>5} {total['field']:>6} "
                     f"{total['pages']:>4} {sum(self.seconds.values()):>5.1f}")
        return "\n".join(lines)


class Page:
    """A Playwright page whose clicks and fields count in the walk; axe on every page."""

    def __init__(self, page, walk, base, width, counted):
        self.page, self.walk, self.base, self.width = page, walk, base, width
        self.counted = counted  # the phone only re-opens pages for axe: not counted

    def _count(self, kind):
        if self.counted and self.walk.current is not None:
            self.walk.counts[self.walk.current][kind] += 1

    def goto(self, path):
        self._count("pages")
        response = self.page.goto(self.base + path)
        assert "/admin/" not in self.page.url
        assert response.status < 400, (path, response.status)
        return response

    def click(self, selector):
        self._count("click")
        self.page.click(selector)
        self.page.wait_for_load_state()
        assert "/admin/" not in self.page.url

    def link(self, name, exact=False):
        self._count("click")
        self.page.get_by_role("link", name=name, exact=exact).first.click()
        self.page.wait_for_load_state()
        assert "/admin/" not in self.page.url

    def button(self, name, exact=False):
        self._count("click")
        self.page.get_by_role("button", name=name, exact=exact).first.click()
        self.page.wait_for_load_state()

    def check(self, field_id):
        """Bootstrap Italia draws the box on the label (a re-shown form keeps it ticked)."""
        if not self.page.is_checked(f"#{field_id}"):
            self._count("click")
            self.page.click(f"label[for={field_id}]")

    def fill(self, selector, value):
        self._count("field")
        self.page.fill(selector, value)

    def select(self, selector, **kwargs):
        self._count("field")
        self.page.select_option(selector, **kwargs)

    def files(self, selector, path):
        self._count("field")
        self.page.set_input_files(selector, path)

    def text(self, selector):
        return self.page.inner_text(selector).strip()

    def axe(self):
        check_axe(self.page)


@pytest.fixture
def walk():
    return Walk()


@pytest.fixture
def open_page(browser, live_server, plain_cookies, transactional_db, walk):
    contexts = []

    def _open(username, *, width=1280, counted=True):
        context, page = logged_in_page(browser, live_server.url, username, width=width)
        contexts.append(context)
        return Page(page, walk, live_server.url, width, counted)

    yield _open
    for context in contexts:
        context.close()


def total(queryset, field):
    return queryset.aggregate(t=Sum(field))["t"] or D("0")


def lines_of(plan):
    return BudgetLine.objects.filter(action__objective__plan=plan)


def _seed_2018_before_its_closing():
    """The Consuntivo 2018 is loaded closed; put it back as it stood before its closing
    (approved, every consuntivo entered, Tab. 3 approved as the destination)."""
    from seeds.loader import load_all

    load_all()  # a previous live-server test may have flushed the database
    plan = OperatingPlan.objects.select_related("zone_plan__ambito").get(
        zone_plan__ambito__slug="cremasco", year=2018)
    with freeze.allow(freeze.LOADING):
        Surplus.objects.filter(plan=plan).delete()
    set_plan_state(plan, "approvato")
    assert not OperatingPlan.objects.filter(zone_plan__ambito=plan.zone_plan.ambito,
                                            year__gt=2018).exists()
    return plan


def test_two_years_of_the_cremasco_in_the_browser(open_page, walk, tmp_path):
    started = time.monotonic()
    po2018 = _seed_2018_before_its_closing()
    ambito = po2018.zone_plan.ambito
    make_user("ufficio.cremasco", ambito=ambito, role=Role.STAFF)
    referente = make_user("referente.cremasco", ambito=ambito, role=Role.REFERENT)
    channels = {c.code: c for c in FundingChannel.objects.filter(ambito=ambito)}
    act_pdf = tmp_path / "delibera.pdf"
    act_pdf.write_bytes(b"%PDF-1.4 delibera dell'Assemblea dei Sindaci")

    # Figures of the seed, read once: what the steps below must carry.
    preventivo_2018 = total(lines_of(po2018), "preventivo")
    assert preventivo_2018 == D("10284455.13")
    seed_destination = SurplusDestination.objects.get(plan=po2018)
    seed_rows = list(seed_destination.rows.select_related("source_action__objective"))
    assert (seed_destination.state, seed_destination.from_document) == ("approvata", True)
    assert len(seed_rows) == 28
    assert sum((r.amount for r in seed_rows), D(0)) == D("869860.91")
    # Rows the closing page can link: vincolato, from an action, not yet linked.
    linkable = [r for r in seed_rows
                if r.restricted and r.target_action_id is None and r.source_action_id]

    page = open_page("ufficio.cremasco")
    phone = open_page("ufficio.cremasco", width=390, counted=False)

    # --- 1. PO 2019 from PO 2018 with last year's preventivi --------------------------
    walk.step("1. PO 2019 dal PO 2018 (preventivi)")
    page.goto(f"/piani/{po2018.pk}/")
    page.axe()
    page.click("#carry-link")
    page.page.wait_for_selector("#id_year")
    page.axe()
    assert page.page.input_value("#id_year") == "2019"
    assert page.page.is_checked("#id_amounts_0")  # il preventivo dell'anno precedente
    page.button("Vedi il riepilogo")
    page.page.wait_for_selector("#carry-summary")
    assert euro(preventivo_2018)[:-2] in page.text("#summary-total")
    page.axe()
    page.button("Crea il Piano Operativo 2019")
    page.page.wait_for_selector(".alert-success")
    po2019 = OperatingPlan.objects.get(zone_plan__ambito=ambito, year=2019)
    assert po2019.state == "bozza"
    assert lines_of(po2019).count() == 166
    assert total(lines_of(po2019), "preventivo") == preventivo_2018
    assert not lines_of(po2019).filter(consuntivo__isnull=False).exists()
    assert Indicator.objects.filter(objective__plan=po2019).count() == 164
    assert Milestone.objects.filter(objective__plan=po2019).count() == 68
    phone.goto(f"/piani/{po2018.pk}/nuovo-piano/")
    phone.axe()

    # --- 2. 2018 closed from the closing page with the seed's destination -------------
    walk.step("2. Chiusura 2018 con la destinazione del seed")
    page.goto(f"/piani/{po2018.pk}/")
    page.link("Chiusura dell'anno")
    page.page.wait_for_url(re.compile(r"/chiusura/$"))
    page.axe()
    assert page.text("#avanzo-gestione") == "869.860,50 €"   # entrate − spese 2018
    assert page.text("#destination-total") == "869.860,91 €"  # Tab. 3 as printed
    assert "differenza di riconciliazione 0,41 €" in page.text("#reconciliation")
    page.button("Collega le righe vincolate alle azioni del Piano Operativo 2019")
    assert (f"Righe collegate alle azioni del Piano Operativo 2019: {len(linkable)}."
            in page.page.content())
    page.check("id_confirm")
    page.button("Chiudi l'anno 2018")
    page.page.wait_for_url(re.compile(rf"/piani/{po2018.pk}/$"))
    assert "Piano Operativo 2018 chiuso. L'avanzo entra nel Piano Operativo 2019." in (
        page.page.content())
    po2018.refresh_from_db()
    assert po2018.state == "chiuso"
    carried_2018 = FundingAllocation.objects.filter(operating_plan=po2019, kind="avanzo")
    assert carried_2018.count() == 28
    assert total(carried_2018, "amount") == D("869860.91")
    assert carried_2018.filter(action__isnull=False).count() == len(linkable)
    assert all(a.action.objective.plan_id == po2019.pk
               for a in carried_2018.filter(action__isnull=False).select_related(
                   "action__objective"))
    phone.goto(f"/piani/{po2018.pk}/chiusura/")
    phone.axe()

    # --- 3. A new objective, two actions, referente, indicator, milestone, 3 lines ----
    walk.step("3a. Nuovo obiettivo, 2 azioni, referente, indicatore, traguardo")
    page.goto(f"/piani/{po2019.pk}/")
    page.link("Struttura del piano")
    page.page.wait_for_url(re.compile(r"/struttura/$"))
    page.axe()
    page.link("Aggiungi un obiettivo")
    page.axe()
    page.fill("#id_title", "Inclusione lavorativa delle persone fragili")
    page.fill("#id_short_title", "Inclusione lavorativa")
    page.fill("#id_timing", "Da gennaio a dicembre 2019")
    page.button("Aggiungi", exact=True)
    page.page.wait_for_selector(".alert-success")
    objective = Objective.objects.get(plan=po2019, short_title="Inclusione lavorativa")
    assert objective.number == 16  # after the 15 objectives carried from 2018
    page.link("Inclusione lavorativa")
    page.page.wait_for_url(re.compile(rf"/struttura/obiettivi/{objective.pk}/$"))
    for title in ("Tirocini di inclusione", "Laboratori occupazionali"):
        page.link("Aggiungi un'azione")
        page.fill("#id_title", title)
        page.button("Aggiungi", exact=True)
        page.page.wait_for_selector(".alert-success")
    action1, action2 = objective.actions.order_by("number")
    assert [(a.number, a.title) for a in (action1, action2)] == [
        (1, "Tirocini di inclusione"), (2, "Laboratori occupazionali")]  # per objective
    page.link("Aggiungi un referente")
    page.axe()
    page.fill("#id_name", "Laura Ferrari")
    page.fill("#id_organisation_label", "Servizio inserimenti lavorativi")
    page.select("#id_referent_user", label="referente.cremasco")
    page.button("Aggiungi", exact=True)
    page.page.wait_for_selector(".alert-success")
    page.link("Aggiungi un indicatore")
    page.axe()
    page.fill("#id_name", "Persone avviate al tirocinio")
    page.select("#id_kind", value="count")
    page.fill("#id_target", "almeno 12")
    page.select("#id_periodicity", value="trimestrale")
    page.select("#id_action", label="Azione 1: Tirocini di inclusione")
    page.button("Aggiungi", exact=True)
    page.page.wait_for_selector(".alert-success")
    page.link("Aggiungi un traguardo")
    page.axe()
    page.fill("#id_title", "Avvio dei primi dieci tirocini")
    page.fill("#id_due_date", "2019-06-30")
    page.button("Aggiungi", exact=True)
    page.page.wait_for_selector(".alert-success")
    page.axe()
    assert Referent.objects.get(objective=objective).user == referente
    indicator = Indicator.objects.get(objective=objective)
    assert (indicator.kind, indicator.periodicity, indicator.action) == (
        "count", "trimestrale", action1)
    assert Milestone.objects.get(objective=objective).due_date == date(2019, 6, 30)
    phone.goto(f"/struttura/obiettivi/{objective.pk}/")
    phone.axe()

    walk.step("3b. Tre righe di budget su canali diversi")
    new_lines = (  # (action, voce, canale, preventivo)
        (action1, "Borse lavoro", "FSR", D("12000.00")),            # non vincolato
        (action1, "Tutoraggio dei tirocini", "COMUNI", D("8500.50")),  # vincolato
        (action2, "Laboratori protetti", "FNA", D("4250.25")),      # vincolato
    )
    page.goto(f"/obiettivi/{objective.pk}/budget/")
    page.axe()
    used = defaultdict(int)  # each action shows one blank row; more with "Aggiungi riga"
    for action, item, code, amount in new_lines:
        if used[action.pk]:
            page.click(f"button.js-add-row[data-action='{action.pk}']")
        row = f"tbody[data-action='{action.pk}'] tr.js-line >> nth={used[action.pk]}"
        used[action.pk] += 1
        page.fill(f"{row} >> input[name$='-item']", item)
        page.select(f"{row} >> select[name$='-channel']", value=str(channels[code].pk))
        page.fill(f"{row} >> input[name$='-preventivo']", typed(amount))
    new_preventivo = sum((a for *_, a in new_lines), D(0))
    assert new_preventivo == D("24750.75")
    assert page.text("#total-preventivo") == euro(new_preventivo)
    page.button("Salva il budget")
    page.page.wait_for_selector(".alert-success")
    page.axe()
    for action, item, code, amount in new_lines:
        line = BudgetLine.objects.get(action=action, item=item)
        assert (line.channel.code, line.preventivo) == (code, amount)
    preventivo_2019 = preventivo_2018 + new_preventivo
    assert total(lines_of(po2019), "preventivo") == preventivo_2019 == D("10309205.88")
    phone.goto(f"/obiettivi/{objective.pk}/budget/")
    phone.axe()

    # --- 4. PO 2019 approved with a new act -------------------------------------------
    walk.step("4. Approvazione del PO 2019 con un nuovo atto")
    page.goto(f"/piani/{po2019.pk}/")
    page.link("Approva il piano")
    page.page.wait_for_url(re.compile(r"/approvazione/$"))
    page.axe()
    # Entrate 2019 at the preventivo: only the carried avanzo 2018.
    main = page.text("main")
    assert euro(preventivo_2019) in main and "869.860,91 €" in main
    page.select("#id_body", label="Assemblea dei Sindaci")
    page.fill("#id_number", "4/2019")
    page.fill("#id_date", "2019-03-18")
    page.files("#id_act", str(act_pdf))
    for field in page.page.locator("textarea[name^=reason_]").all():
        page._count("field")
        field.fill("Obiettivo senza risorse proprie: si realizza con il personale "
                   "dell'Ufficio di Piano.")
    if page.page.locator("#id_shortfall_note").count():
        page.fill("#id_shortfall_note", "Le entrate 2019 (FNPS, FSR, FNA, quote dei Comuni) "
                                        "saranno accertate in corso d'anno.")
    page.check("id_confirm")
    page.button("Approva il piano")
    page.page.wait_for_selector(".alert-success")
    po2019.refresh_from_db()
    act_2019 = Deliberation.objects.get(ambito=ambito, number="4/2019")
    assert (po2019.state, po2019.approval) == ("approvato", act_2019)
    phone.goto(f"/piani/{po2019.pk}/approvazione/")
    phone.axe()

    # --- 5. One variation from the budget grid ----------------------------------------
    walk.step("5. Una variazione dalla griglia del budget")
    varied = BudgetLine.objects.get(action=action1, item="Borse lavoro")
    page.goto(f"/obiettivi/{objective.pk}/budget/")
    page.click(f"a[href='/righe/{varied.pk}/variazione/']")
    page.page.wait_for_url(re.compile(r"/variazione/$"))
    page.axe()
    assert page.text("#approved-preventivo") == "12.000,00 €"
    page.fill("#id_new_amount", "15.000,00")
    page.fill("#id_reason", "Dieci borse lavoro in più richieste dai Comuni")
    page.click("label[for=id_mode_1]")  # the act that approved the plan
    page.select("#id_existing", value=str(act_2019.pk))
    page.button("Registra la variazione")
    page.page.wait_for_selector(".alert-success")
    varied.refresh_from_db()
    assert varied.preventivo == D("15000.00")  # approved 12.000,00 shown on the page
    variation = Variation.objects.get(line=varied)
    assert (variation.previous_amount, variation.new_amount, variation.deliberation) == (
        D("12000.00"), D("15000.00"), act_2019)
    page.goto(f"/piani/{po2019.pk}/variazioni/")
    page.axe()
    current_2019 = preventivo_2019 + D("3000.00")
    assert page.text("#plan-approved") == euro(preventivo_2019) == "10.309.205,88 €"
    assert page.text("#plan-current") == euro(current_2019) == "10.312.205,88 €"
    assert page.text("#total-difference") == "3.000,00 €"
    phone.goto(f"/righe/{varied.pk}/variazione/")
    phone.axe()

    # --- 6. The referente's quarterly values, one N.D. --------------------------------
    walk.step("6. Referente: Q1–Q4 (un N.D.)")
    ref = open_page("referente.cremasco")
    ref_phone = open_page("referente.cremasco", width=390, counted=False)
    values = {1: "3", 2: None, 3: "7", 4: "12"}  # None: N.D.
    for quarter, value in values.items():
        ref.goto(f"/piani/{po2019.pk}/rilevazioni/{quarter}/")
        if quarter == 1:
            ref.axe()
        if value is None:
            ref.select(f"#id_m-{indicator.pk}-state", value="nd")
            ref.fill(f"#id_m-{indicator.pk}-note", "Dato del CPI non ancora disponibile")
        else:
            ref.fill(f"#id_m-{indicator.pk}-value", value)
        ref.button("Salva le rilevazioni")
        ref.page.wait_for_selector(".alert-success")
    measures = {m.period_end: m for m in Measurement.objects.filter(indicator=indicator)}
    assert sorted(measures) == [date(2019, 3, 31), date(2019, 6, 30), date(2019, 9, 30),
                                date(2019, 12, 31)]
    assert measures[date(2019, 6, 30)].state == "nd"
    assert [measures[d].value for d in (date(2019, 3, 31), date(2019, 9, 30),
                                        date(2019, 12, 31))] == [D("3"), D("7"), D("12")]
    ref_phone.goto(f"/piani/{po2019.pk}/rilevazioni/4/")
    ref_phone.axe()

    # --- 7. Accertate entrate and consuntivo --------------------------------------------
    walk.step("7a. Entrate accertate (pagina Entrate per canale)")
    # The staff's accertate entrate, from the plan page's «Entrate per canale» (the freeze
    # rule lets accertate entrate into an approved plan).
    accertate = D("10300000.00")
    page.goto(f"/piani/{po2019.pk}/")
    page.click("#income-link")
    page.page.wait_for_url(re.compile(r"/entrate/$"))
    page.axe()
    page.click("#add-accertate")
    page.page.wait_for_url(re.compile(r"/entrate/nuova/$"))
    page.fill("#id_label", "Trasferimenti e quote dei Comuni 2019 accertati")
    page.fill("#id_amount", typed(accertate))
    page.fill("#id_group", "Entrate accertate")
    page.button("Salva l'entrata")
    page.page.wait_for_selector(".alert-success")
    entered = FundingAllocation.objects.get(
        ambito=ambito, year=2019, label="Trasferimenti e quote dei Comuni 2019 accertati")
    assert (entered.stage, entered.kind, entered.amount, entered.operating_plan_id) == (
        "consuntivo", "entrata", accertate, po2019.pk)
    assert page.text("#accertate-entrata") == euro(accertate)
    phone.goto(f"/piani/{po2019.pk}/entrate/")
    phone.axe()

    walk.step("7b. Consuntivo sulle griglie (16 obiettivi)")
    typed_consuntivo = {  # the new lines: economie on two of them
        "Borse lavoro": D("13200.00"), "Tutoraggio dei tirocini": D("8000.00"),
        "Laboratori protetti": D("4250.25"),
    }
    for obj in po2019.objectives.order_by("number"):
        if not lines_of(po2019).filter(action__objective=obj).exclude(preventivo=0).exists():
            continue
        page.goto(f"/obiettivi/{obj.pk}/budget/")
        if obj == objective:
            page.axe()
        rows = page.page.locator("tr.js-line")
        for n in range(rows.count()):
            row = rows.nth(n)
            item = row.locator("input[name$='-item']").input_value()
            shown = row.locator("input[name$='-preventivo']").input_value()
            if obj == objective:
                amount = typed(typed_consuntivo[item])
            elif shown in ("", "0", "0,00"):
                continue
            else:
                amount = shown  # spent as planned
            page._count("field")
            row.locator("input[name$='-consuntivo']").fill(amount)
        page.button("Salva il budget")
        page.page.wait_for_selector(".alert-success")
    spent_2019 = current_2019 - sum(
        (prev - typed_consuntivo[item] for item, prev in (
            ("Borse lavoro", D("15000.00")), ("Tutoraggio dei tirocini", D("8500.50")),
            ("Laboratori protetti", D("4250.25")))), D(0))
    assert spent_2019 == D("10309905.38")
    assert total(lines_of(po2019), "consuntivo") == spent_2019
    assert not lines_of(po2019).filter(consuntivo__isnull=True).exclude(preventivo=0).exists()

    # --- 8. PO 2020 from PO 2019, then 2019 closed with its own destination -----------
    walk.step("8a. PO 2020 dal PO 2019")
    page.goto(f"/piani/{po2019.pk}/")
    page.click("#carry-link")
    page.button("Vedi il riepilogo")
    page.page.wait_for_selector("#carry-summary")
    page.button("Crea il Piano Operativo 2020")
    page.page.wait_for_selector(".alert-success")
    po2020 = OperatingPlan.objects.get(zone_plan__ambito=ambito, year=2020)
    assert total(lines_of(po2020), "preventivo") == current_2019  # preventivi after variation
    target = Action.objects.get(objective__plan=po2020, objective__number=16, number=1)

    walk.step("8b. Chiusura 2019 con destinazione diversa dalla proposta")
    # Avanzo di gestione 2019 = entrate (carried avanzo 2018 + accertate) − spese.
    income_2019 = D("869860.91") + accertate
    avanzo_2019 = income_2019 - spent_2019
    assert avanzo_2019 == D("859955.53")
    page.goto(f"/piani/{po2019.pk}/")
    page.link("Chiusura dell'anno")
    page.page.wait_for_url(re.compile(r"/chiusura/$"))
    page.axe()
    assert page.text("#avanzo-gestione") == euro(avanzo_2019)
    page.button("Parti dalla proposta")
    page.page.wait_for_selector(".alert-success")
    destination = SurplusDestination.objects.get(plan=po2019)
    proposal = {r.pk: (r.amount, r.restricted, r.target_action_id)
                for r in destination.rows.all()}
    assert sum((a for a, *_ in proposal.values()), D(0)) == avanzo_2019
    free = destination.rows.get(restricted=False)
    restricted_2019 = avanzo_2019 - free.amount
    # By the rule of budget/surplus.py: a restricted fund paying lines leaves its entrate
    # (here only the avanzo 2018 carried on that fund) minus its spese, when positive.
    funds = {line.channel for line in lines_of(po2019).select_related("channel")
             if line.channel is not None and line.channel.restricted}
    assert restricted_2019 == sum((max(
        total(carried_2018.filter(channel=fund), "amount")
        - total(lines_of(po2019).filter(channel=fund), "consuntivo"), D(0))
        for fund in funds), D(0))
    assert page.text("#destination-total") == euro(avanzo_2019)
    page.axe()
    # The Assemblea earmarks 50.000,00 € of the non vincolato for the tirocini of 2020.
    earmark = D("50000.00")
    page.click(f"a[href='/chiusura/righe/{free.pk}/']")
    page.axe()
    page.fill("#id_amount", typed(free.amount - earmark))
    page.fill("#id_reason", "Delibera dell'Assemblea: 50.000 € vincolati ai tirocini 2020")
    page.button("Salva la riga")
    page.page.wait_for_selector(".alert-success")
    assert "Manca da destinare" in page.page.content()
    page.link("Aggiungi una riga")
    page.axe()
    page.fill("#id_description", "Tirocini di inclusione 2020 (dal non vincolato)")
    page.fill("#id_amount", typed(earmark))
    page.select("#id_target_action", value=str(target.pk))
    page.fill("#id_reason", "Vincolato dall'Assemblea a un'azione del PO 2020")
    page.button("Salva la riga")
    page.page.wait_for_selector(".alert-success")
    assert page.text("#destination-total") == euro(avanzo_2019)
    page.button("Collega le righe vincolate alle azioni del Piano Operativo 2020")
    page.page.wait_for_selector(".alert-success")
    page.select("#id_body", label="Assemblea dei Sindaci")
    page.fill("#id_number", "7/2020")
    page.fill("#id_date", "2020-04-27")
    page.button("Approva la destinazione")
    page.page.wait_for_selector(".alert-success")
    destination.refresh_from_db()
    assert destination.state == "approvata"
    page.check("id_confirm")
    page.button("Chiudi l'anno 2019")
    page.page.wait_for_url(re.compile(rf"/piani/{po2019.pk}/$"))
    assert "Piano Operativo 2019 chiuso. L'avanzo entra nel Piano Operativo 2020." in (
        page.page.content())
    phone.goto(f"/piani/{po2019.pk}/chiusura/")
    phone.axe()
    for shot in (page, phone):
        shot.page.screenshot(path=str(SHOTS / f"closing-2019-{shot.width}.png"), full_page=True)

    # --- 9. PO 2020 holds the 2019 avanzo as entrate linked to its actions ------------
    walk.step("9. PO 2020: avanzo 2019 tra le entrate")
    po2019.refresh_from_db()
    assert po2019.state == "chiuso"
    carried_2019 = FundingAllocation.objects.filter(operating_plan=po2020, kind="avanzo")
    assert total(carried_2019, "amount") == avanzo_2019 == D("859955.53")
    assert total(carried_2019.filter(restricted=False), "amount") == free.amount - earmark
    assert total(carried_2019.filter(restricted=True), "amount") == restricted_2019 + earmark
    earmarked = carried_2019.get(action=target)
    assert (earmarked.amount, earmarked.restricted) == (earmark, True)
    assert all(a.action.objective.plan_id == po2020.pk
               for a in carried_2019.filter(action__isnull=False).select_related(
                   "action__objective"))
    page.goto(f"/piani/{po2020.pk}/")
    page.axe()

    elapsed = time.monotonic() - started
    print("\n" + walk.table())
    print(f"Avanzo 2018 {euro(D('869860.50'))} (destinazione {euro(D('869860.91'))}); "
          f"preventivo 2019 {euro(preventivo_2019)} → attuale {euro(current_2019)}; "
          f"spese 2019 {euro(spent_2019)}; avanzo 2019 {euro(avanzo_2019)}; "
          f"durata {elapsed:.1f} s")
