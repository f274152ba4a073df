"""Real browser (Debian's Chromium driven by Playwright) on the live server, with axe-core.

Few and coarse on purpose: one browser for the module, each test walks a whole task.
The live server needs committed data, so these tests flush the database; the seed
documents the rest of the suite relies on are loaded again when the module ends.
"""

import io
import re
from decimal import Decimal

import openpyxl
import pytest

from budget.models import BudgetLine
from indicators.models import Measurement

from ..browser import check_axe, module_browser

pytestmark = pytest.mark.browser

PASSWORD = "a-long-test-password"


@pytest.fixture(scope="module", autouse=True)
def reload_seeds_afterwards(django_db_blocker):
    yield
    from seeds.loader import load_all

    with django_db_blocker.unblock():
        load_all()


@pytest.fixture(scope="module")
def browser():
    yield from module_browser()


@pytest.fixture
def plain_cookies(settings):
    # The live server speaks http: the production cookie names need https.
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = False
    settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME = "sessionid", "csrftoken"


@pytest.fixture
def open_page(browser, live_server, plain_cookies):
    contexts = []

    def _open(username, *, width=1280):
        context = browser.new_context(viewport={"width": width, "height": 900}, locale="it-IT")
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/accesso/")
        check_axe(page)
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(re.compile(r"/piani/$"))
        page.base = live_server.url
        return page

    yield _open
    for context in contexts:
        context.close()


def visit(page, path):
    response = page.goto(page.base + path)
    assert response.status < 400, path
    check_axe(page)


def test_staff_enters_a_budget_line(world, entry, open_page):
    page = open_page("staff_a")
    check_axe(page)
    plan, objective = entry["plan"], entry["objective"]
    for path in (f"/piani/{plan.pk}/", f"/piani/{plan.pk}/cruscotto/",
                 f"/obiettivi/{objective.pk}/", f"/obiettivi/{objective.pk}/budget/importa/"):
        visit(page, path)
    visit(page, f"/obiettivi/{objective.pk}/budget/")
    page.click(f"button.js-add-row[data-action='{entry['action'].pk}']")
    new_row = page.locator("tr.js-line").nth(3)
    new_row.locator("input[name$='-item']").fill("Voce dal browser")
    new_row.locator("input[name$='-preventivo']").fill("1.234,50")
    # 10,05 + 10,05 + 1.234,50, summed while typing
    assert page.text_content("#total-preventivo") == "1.254,60 €"
    page.click("text=Salva il budget")
    page.wait_for_selector(".alert-success")
    check_axe(page)
    assert BudgetLine.objects.get(item="Voce dal browser").preventivo == Decimal("1234.50")

    first = page.locator("tr.js-line").first
    first.locator("input[name$='-preventivo']").fill("dieci euro")
    assert page.text_content("#total-preventivo") == "importo non valido"
    page.click("text=Salva il budget")
    page.wait_for_selector("#form-errors")
    assert "non è un numero valido" in first.inner_text()
    check_axe(page)
    assert entry["line"].preventivo == BudgetLine.objects.get(pk=entry["line"].pk).preventivo


def test_referent_enters_the_quarter_on_a_phone(world, entry, open_page):
    page = open_page("referent_a", width=390)
    plan, indicator, milestone = entry["plan"], entry["indicator"], entry["milestone"]
    visit(page, f"/piani/{plan.pk}/rilevazioni/2/")
    assert page.locator("text=Indicatore altrui").count() == 0
    page.fill(f"#id_m-{indicator.pk}-value", "15")
    page.fill(f"#id_m-{indicator.pk}-note", "dato del CSC")
    page.select_option(f"#id_t-{milestone.pk}-achieved", "si")
    page.click("text=Salva le rilevazioni")
    page.wait_for_selector(".alert-success")
    check_axe(page)
    saved = Measurement.objects.get(indicator=indicator, period_end=entry["period_q2"])
    assert saved.value == Decimal("15") and saved.note == "dato del CSC"
    milestone.refresh_from_db()
    assert milestone.achieved == "si"


def _workbook(path, rows):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["ID indicatore", "Rilevazione al", "Stato", "Valore", "Nota"])
    for row in rows:
        sheet.append(row)
    book.save(path)
    return str(path)


def test_workbook_import_bad_then_good(world, entry, open_page, tmp_path):
    page = open_page("staff_a")
    plan, indicator = entry["plan"], entry["indicator"]
    other = entry["other_indicator"]
    visit(page, f"/piani/{plan.pk}/rilevazioni/3/importa/")
    bad = _workbook(tmp_path / "errato.xlsx", [
        [indicator.pk, "30/09/2030", "", 21, ""],
        [other.pk, "30/09/2030", "", "ventuno", ""],
    ])
    page.set_input_files("input[type=file]", bad)
    page.click("text=Controlla il file")
    page.wait_for_selector("#import-errors")
    assert "Riga 3, colonna «Valore»" in page.inner_text("#import-errors")
    check_axe(page)
    assert not Measurement.objects.filter(period_end=entry["period_q2"].replace(month=9)).exists()

    good = _workbook(tmp_path / "corretto.xlsx", [
        [indicator.pk, "30/09/2030", "", 21, ""],
        [other.pk, "30/09/2030", "N.D.", "", "in attesa"],
    ])
    page.set_input_files("input[type=file]", good)
    page.click("text=Controlla il file")
    page.wait_for_selector("text=Conferma l'importazione")
    check_axe(page)
    page.click("text=Conferma l'importazione")
    page.wait_for_selector(".alert-success")
    check_axe(page)
    rows = Measurement.objects.filter(period_end=entry["period_q2"].replace(month=9, day=30))
    assert {(m.indicator_id, m.state, m.value) for m in rows} == {
        (indicator.pk, "value", Decimal("21")), (other.pk, "nd", None)
    }


def test_export_downloads_a_workbook(world, entry, open_page):
    page = open_page("staff_a")
    with page.expect_download() as download:
        page.goto(page.base + f"/obiettivi/{entry['objective'].pk}/budget/")
        page.click("text=Scarica in Excel (.xlsx)")
    data = io.BytesIO(open(download.value.path(), "rb").read())  # noqa: SIM115
    assert openpyxl.load_workbook(data).active["A1"].value == "ID riga"
