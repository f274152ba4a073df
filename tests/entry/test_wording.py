"""Words a person reads: plurals and gender (ngettext, core/wording.py), amounts the Italian
way in the admin, funding channels by name and objectives by number and title on the
dashboard (issue 18, points 5 and 6)."""

import gettext
import re
import shutil
import subprocess
from decimal import Decimal
from html import unescape
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from budget.models import BudgetLine, ChannelReference, FundingChannel, Variation
from core.entry.charts import paired_bars
from core.roles import Role
from core.wording import FEMININE, MASCULINE, counted_rows, gender_of, saved_message
from governance.models import PopulationFigure
from objectives.models import OperatingPlan

from ..builders import make_user

D = Decimal


# --- Plurals ---------------------------------------------------------------------------

def _import_body(**context):
    request = RequestFactory().get("/import/")
    return render_to_string("entry/_import_body.html", {"request": request, **context})


@pytest.mark.parametrize("count,said", [
    (1, "Il file «b.xlsx» contiene 1 errore. Correggilo nel file e ricaricalo."),
    (2, "Il file «b.xlsx» contiene 2 errori. Correggili nel file e ricaricalo."),
])
def test_import_errors_counted_in_italian(count, said):
    html = _import_body(problems=[f"Riga {n}: sbagliata" for n in range(count)],
                        file_name="b.xlsx")
    assert said in html


@pytest.mark.parametrize("counts,said", [
    ((1, 1, 1), "<strong>1</strong> riga nuova, <strong>1</strong> modificata, 1 invariata."),
    ((2, 0, 3), "<strong>2</strong> righe nuove, <strong>0</strong> modificate, 3 invariate."),
])
def test_import_preview_counted_in_italian(counts, said):
    new, update, skip = counts
    html = _import_body(token="t", file_name="b.xlsx", count_new=new, count_update=update,
                        count_skip=skip, preview=[], preview_limit=200)
    assert f"Il file è valido: {said}" in html
    assert "1 righe" not in html and "1 modificate" not in html


def test_counted_rows_singular_and_plural():
    assert counted_rows(1, 1, 1, 1) == "1 riga nuova, 1 modificata, 1 invariata, 1 eliminata"
    assert counted_rows(2, 0, deleted=2) == "2 righe nuove, 0 modificate, 2 eliminate"


# --- Gender ----------------------------------------------------------------------------

@pytest.mark.parametrize("name,verb,follow,said", [
    ("variazione di bilancio", "add", None,
     "La variazione di bilancio «V» è stata aggiunta."),
    ("obiettivo", "add", "edit",
     "L'obiettivo «V» è stato aggiunto. Puoi modificarlo di nuovo qui sotto."),
    ("entrata per canale", "change", "another",
     "L'entrata per canale «V» è stata modificata. Qui sotto puoi aggiungere un'altra "
     "entrata per canale."),
    ("Comune", "delete", None, "Il Comune «V» è stato eliminato."),
    ("riga di budget", "change", "edit",
     "La riga di budget «V» è stata modificata. Puoi modificarla di nuovo qui sotto."),
    ("canale di finanziamento", "change", "another",
     "Il canale di finanziamento «V» è stato modificato. Qui sotto puoi aggiungere un altro "
     "canale di finanziamento."),
])
def test_saved_message_agrees_with_the_gender(name, verb, follow, said):
    # HTML (the object is a link): the apostrophe comes escaped, the browser shows it.
    assert unescape(saved_message(name=name, gender=gender_of(name), obj="V", verb=verb,
                                  follow=follow)) == said


def test_plural_names_and_lo():
    said = saved_message(name="ricavi e costi dell'ente gestore", gender="mp", obj="X",
                         verb="add")
    assert unescape(said) == "I ricavi e costi dell'ente gestore «X» sono stati aggiunti."
    assert str(saved_message(name="stanziamento", gender=MASCULINE, obj="X", verb="delete")
               ).startswith("Lo stanziamento «X» è stato eliminato")


def test_every_admin_model_has_a_gender_that_reads_right():
    from django.contrib import admin

    from core.scoped_admin import ScopedAdmin
    from core.wording import with_article

    feminine = {"sub-ambito": False, "popolazione": True, "spesa sociale comunale": True,
                "seduta": True, "deliberazione": True, "area": True, "azione": True,
                "sezione di testo": True, "tabella": True, "entrata per canale": True,
                "riga di budget": True, "variazione di bilancio": True,
                "destinazione dell'avanzo": True, "rilevazione": True, "obiettivo": False,
                "Piano Operativo": False, "Comune": False, "indicatore": False,
                "traguardo": False, "avanzo": False}
    for model, model_admin in admin.site._registry.items():
        if not isinstance(model_admin, ScopedAdmin):
            continue
        name = str(model._meta.verbose_name)
        gender = model_admin.gender or gender_of(name)
        if name in feminine:
            assert (gender == FEMININE) == feminine[name], name
        assert not re.match(r"Il [aeiou]|La [aeiou]", with_article(name, gender)), name


@pytest.fixture
def superuser_client(client, world):
    client.force_login(world.user("superuser"))
    return client


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_admin_add_says_il_riferimento_e_stato_aggiunto(superuser_client, world):
    channel = world.a[FundingChannel]
    response = superuser_client.post(
        reverse("admin:budget_channelreference_add"),
        {"channel": channel.pk, "year": "2031", "reference": "DGR n. 1/2031", "date": "",
         "amount": "4.000,00", "_continue": "1"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    reference = ChannelReference.objects.get(reference="DGR n. 1/2031")
    assert reference.amount == D("4000.00")
    [said] = _messages(response)
    assert re.fullmatch(
        r'Il riferimento normativo «<a href="[^"]+">[^<]+</a>» è stato aggiunto\. '
        r"Puoi modificarlo di nuovo qui sotto\.", said), said


def test_admin_delete_says_la_popolazione_e_stata_eliminata(superuser_client, world):
    figure = world.a[PopulationFigure]
    response = superuser_client.post(
        reverse("admin:governance_populationfigure_delete", args=[figure.pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not PopulationFigure.objects.filter(pk=figure.pk).exists()
    assert _messages(response) == [f"La popolazione «{figure}» è stata eliminata."]


def test_admin_sidebar_headers_are_italian(superuser_client):
    html = superuser_client.get(reverse("admin:index")).content.decode()
    assert "Tipo di dato" in html and "Modifica o consulta" in html
    for english in ("Model name", "Add link", "Change or view list link"):
        assert english not in html


def test_committed_mo_is_the_compiled_po(tmp_path):
    folder = Path(settings.BASE_DIR) / "locale" / "it" / "LC_MESSAGES"
    with open(folder / "django.mo", "rb") as committed:
        catalog = gettext.GNUTranslations(committed)._catalog
    assert catalog["Model name"] == "Tipo di dato"
    # Django's admins outside the app's (utenti, gruppi): wording with nothing to agree.
    from django.utils import translation

    with translation.override("it"):
        assert translation.gettext("The {name} “{obj}” was changed successfully.") == (
            "Modifiche salvate: {name} «{obj}».")
        assert translation.gettext("Successfully deleted %(count)d %(items)s.") == (
            "Eliminazione completata: %(count)d %(items)s.")
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:  # the check below needs gettext; the catalog above does not
        return
    subprocess.run([msgfmt, "-o", tmp_path / "django.mo", folder / "django.po"], check=True)
    with open(tmp_path / "django.mo", "rb") as fresh:
        assert gettext.GNUTranslations(fresh)._catalog == catalog, "make messages"


# --- Money and names in the admin ------------------------------------------------------

def test_admin_lists_money_the_italian_way(superuser_client, world):
    line = world.a[BudgetLine]
    channel = FundingChannel.objects.create(ambito=line.action.objective.plan.zone_plan.ambito,
                                            code="DOPO_DI_NOI", name="Dopo di Noi")
    BudgetLine.objects.filter(pk=line.pk).update(preventivo=D("4000.00"), channel=channel)
    html = superuser_client.get(reverse("admin:budget_budgetline_changelist")).content.decode()
    assert "4.000,00 €" in html and "4000,00" not in html
    assert "Dopo di Noi" in html and "DOPO_DI_NOI" not in html

    Variation.objects.filter(pk=world.a[Variation].pk).update(
        previous_amount=D("15000.00"), new_amount=D("16500.50"))
    html = superuser_client.get(reverse("admin:budget_variation_changelist")).content.decode()
    assert "15.000,00 € → 16.500,50 €" in html and "15000,00" not in html


def test_admin_inline_inputs_are_labelled(superuser_client, world):
    plan = world.a[OperatingPlan]
    html = superuser_client.get(
        reverse("admin:objectives_operatingplan_change", args=[plan.pk])).content.decode()
    inputs = re.findall(r'<(?:input|select)[^>]*name="objectives-0-[^"]*"[^>]*>', html)
    assert inputs
    for tag in inputs:
        if 'type="hidden"' not in tag:
            assert 'aria-label="' in tag and ", riga 1" in tag, tag


# --- The dashboard ---------------------------------------------------------------------

def test_bar_labels_cut_with_the_full_text_in_the_tooltip():
    [bar] = paired_bars([{"label": "x" * 60, "full": "x" * 60 + " (tutto)", "a": D(1),
                          "b": None}], label="label", a="a", b="b", title="full")
    assert bar["label"] == "x" * 47 + "…" and bar["title"] == "x" * 60 + " (tutto)"


@pytest.fixture
def po2018(db):
    return OperatingPlan.objects.select_related("zone_plan__ambito").get(
        zone_plan__ambito__slug="cremasco", year=2018)


def test_dashboard_names_channels_and_objectives(client, world, po2018):
    ambito = po2018.zone_plan.ambito
    client.force_login(make_user("ufficio.w", ambito=ambito, role=Role.STAFF))
    response = client.get(reverse("objectives:dashboard", args=[po2018.pk]))
    html = response.content.decode()
    channel_labels = [bar["label"] for bar in response.context["channel_bars"]]
    assert "Dopo di Noi (L.112/2016)" in channel_labels
    assert "Fondazione Banca dell'Acqua" in channel_labels
    assert "Senza canale" not in channel_labels
    # Channels against each other: the largest (FNA, 455.451,91 €) is the full bar.
    top = response.context["channel_bars"][0]
    assert (top["label"], top["a"], top["a_width"]) == ("FNA", D("455451.91"), 100.0)
    for channel in FundingChannel.objects.filter(ambito=ambito):
        if channel.label != channel.code:
            assert channel.code not in html, channel.code
    # Lines without a channel: told apart, with their share of the plan.
    assert response.context["unassigned"]["preventivo"] == D("8794438.27")
    assert "Senza canale: 8.794.438,27 €</strong> di preventivo" in html
    assert "(86% del preventivo del piano)" in html
    objective_bars = response.context["objective_bars"]
    assert objective_bars[0]["label"] == "1 · Cartella Sociale"
    assert objective_bars[0]["title"] == "Obiettivo 1: Cartella Sociale"
    assert "Obiettivo 1…" not in html and ">Obiettivo 1<" not in html


def test_plan_pages_name_channels_not_codes(client, world, po2018):
    """The cruscotto, every objective's page and the entrate page of the seed's PO 2018:
    no channel code where the channel has a name (DOPO_DI_NOI, BANCA_ACQUA, PRO_VI…)."""
    ambito = po2018.zone_plan.ambito
    client.force_login(make_user("ufficio.n", ambito=ambito, role=Role.STAFF))
    codes = [c.code for c in FundingChannel.objects.filter(ambito=ambito) if c.label != c.code]
    assert {"DOPO_DI_NOI", "BANCA_ACQUA", "PRO_VI"} <= set(codes)
    urls = [reverse("objectives:dashboard", args=[po2018.pk]),
            reverse("planning:income", args=[po2018.pk])]
    urls += [reverse("objectives:objective_detail", args=[pk])
             for pk in po2018.objectives.values_list("pk", flat=True)]
    shown = set()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        html = unescape(response.content.decode())
        assert not [code for code in codes if code in html], url
        shown |= {c.label for c in FundingChannel.objects.filter(ambito=ambito)
                  if c.label in html}
    assert "Dopo di Noi (L.112/2016)" in shown and "Fondazione Banca dell'Acqua" in shown


def test_budget_grid_offers_channels_by_name(world):
    from budget.entry_forms import budget_formset

    ambito = world.a.ambito
    channels = [FundingChannel.objects.create(ambito=ambito, code="DOPO_DI_NOI",
                                              name="Dopo di Noi"),
                FundingChannel.objects.create(ambito=ambito, code="FNA",
                                              name="Fondo non autosufficienze")]
    formset = budget_formset(actions=[], channels=channels, policy=None, writable=False)
    assert formset.form_kwargs["channel_choices"] == [
        (channels[0].pk, "Dopo di Noi"), (channels[1].pk, "FNA – Fondo non autosufficienze")]


def test_import_preview_shows_euro_and_channel_names(client, world, entry):
    """The preview said "Dopo 2.000": the new preventivo as a bare measure. Now the
    amount reads as money and the channel by its name."""
    import io

    import openpyxl

    from .conftest import login, urls

    channel = entry["channel"]
    FundingChannel.objects.filter(pk=channel.pk).update(code="DOPO_DI_NOI", name="Dopo di Noi")
    login(client, world, "staff_a")
    book = openpyxl.load_workbook(io.BytesIO(client.get(urls(entry)["budget_export"]).content))
    sheet = book.active
    headers = [c.value for c in sheet[1]]
    sheet.cell(row=2, column=headers.index("Preventivo") + 1, value="2.000,00")
    sheet.cell(row=2, column=headers.index("Canale") + 1, value="DOPO_DI_NOI")
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "budget.xlsx"
    html = unescape(client.post(urls(entry)["budget_import"], {"file": out}).content.decode())
    rows = re.findall(r"<td>(Preventivo|Canale)</td><td>([^<]*)</td><td>([^<]*)</td>", html)
    assert ("Preventivo", "10,05 €", "2.000,00 €") in rows, rows
    assert ("Canale", "(vuoto)", "Dopo di Noi") in rows, rows
    assert "<th scope=\"col\">Valore attuale</th><th scope=\"col\">Nuovo valore</th>" in html
    assert "1 riga modificata" not in html and "<strong>1</strong> modificata" in html


def test_admin_read_only_amounts_are_euro(superuser_client, world):
    """An approved plan's budget line: its preventivo is read-only, shown as money."""
    from ..builders import set_plan_state

    line = world.a[BudgetLine]
    BudgetLine.objects.filter(pk=line.pk).update(preventivo=D("4000.00"))
    set_plan_state(line.action.objective.plan, "approvato")
    html = superuser_client.get(
        reverse("admin:budget_budgetline_change", args=[line.pk])).content.decode()
    assert '<div class="readonly">4.000,00 €</div>' in html
    assert "4000,00" not in html
