"""The acts of an ambito: who registers and reads them, duplicates, search, links."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from governance.models import Ambito, Body, Deliberation
from objectives.models import OperatingPlan

ROLES = ["superuser", "staff_a", "staff_b", "referent_a", "assembly_a", "auditor_a", "anonymous"]
# Other ambiti do not exist for the user (404); revisori read through the API (403).
LIST_STATUS = {"superuser": 200, "staff_a": 200, "referent_a": 200, "assembly_a": 200,
               "staff_b": 404, "auditor_a": 200, "anonymous": 302}  # revisori read (issue 18)
CREATE_STATUS = {**LIST_STATUS, "referent_a": 403, "assembly_a": 403, "auditor_a": 403}


def pdf(name="delibera.pdf", content=b"%PDF-1.4 atto di prova"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def login(client, world, role):
    if role != "anonymous":
        client.force_login(world.user(role))


def new_act(world, **overrides):
    data = {"body": world.a[Body].pk, "issuer": "", "number": "21", "date": "2030-05-04",
            "subject": "Approvazione della variazione n. 1", "approves": "variation"}
    data.update(overrides)
    return data


@pytest.mark.parametrize("role", ROLES)
def test_who_reads_the_acts_of_an_ambito(client, world, role):
    login(client, world, role)
    act = world.a[Deliberation]
    assert client.get(reverse("planning:act_list", args=["alfa"])).status_code == LIST_STATUS[role]
    assert client.get(reverse("planning:act_detail", args=[act.pk])).status_code == \
        LIST_STATUS[role]


@pytest.mark.parametrize("role", ROLES)
def test_only_the_staff_of_the_ambito_register_acts(client, world, role):
    login(client, world, role)
    url = reverse("planning:act_create", args=["alfa"])
    before = Deliberation.objects.count()
    assert client.get(url).status_code == CREATE_STATUS[role]
    response = client.post(url, {**new_act(world), "act": pdf()})
    if CREATE_STATUS[role] == 200:
        assert response.status_code == 302
        act = Deliberation.objects.get(number="21")
        assert (act.ambito, act.body, act.date) == (world.a.ambito, world.a[Body], date(2030, 5, 4))
        assert act.approves == "variation" and act.act.name.endswith(".pdf")
        record = act.history.first()
        assert record.history_user == world.user(role)
        assert record.history_change_reason == "Registrazione dell'atto"
    else:
        assert response.status_code == CREATE_STATUS[role]
        assert Deliberation.objects.count() == before


def test_a_duplicate_is_refused_at_the_number(client, world):
    client.force_login(world.user("staff_a"))
    existing = world.a[Deliberation]  # n. 1 of 01/02/2030, Assemblea alfa
    before = Deliberation.objects.count()
    response = client.post(reverse("planning:act_create", args=["alfa"]),
                           new_act(world, number="1", date="2030-02-01"))
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Esiste già l'" + str(existing) in errors["number"][0]
    assert Deliberation.objects.count() == before
    # the same number and date of another body is another act
    other = Body.objects.create(ambito=world.a.ambito, name="CdA alfa", kind="cda")
    response = client.post(reverse("planning:act_create", args=["alfa"]),
                           new_act(world, number="1", date="2030-02-01", body=other.pk))
    assert response.status_code == 302
    assert Deliberation.objects.count() == before + 1


def test_an_act_needs_who_adopted_it_and_a_real_pdf(client, world):
    client.force_login(world.user("staff_a"))
    before = Deliberation.objects.count()
    response = client.post(reverse("planning:act_create", args=["alfa"]),
                           {**new_act(world, body="", subject=""),
                            "act": pdf("finta.pdf", b"non sono un pdf")})
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "Indicare l'organismo" in errors["body"][0]
    assert "Indicare l'oggetto" in errors["subject"][0]
    assert "non è un file PDF valido" in " ".join(errors["act"])
    assert Deliberation.objects.count() == before


def test_a_body_of_another_ambito_cannot_be_chosen(client, world):
    client.force_login(world.user("staff_a"))
    response = client.post(reverse("planning:act_create", args=["alfa"]),
                           new_act(world, body=world.b[Body].pk))
    assert response.status_code == 400
    assert "body" in response.context["form"].errors


def test_search_by_number_text_dates_and_kind(client, world):
    client.force_login(world.user("staff_a"))
    ambito, body = world.a.ambito, world.a[Body]
    Deliberation.objects.create(ambito=ambito, body=body, number="7/2031", date=date(2031, 3, 1),
                                subject="Variazione di bilancio FNPS", approves="variation")
    Deliberation.objects.create(ambito=ambito, issuer="Regione Lombardia", number="XI/501",
                                date=date(2030, 8, 2), subject="Riparto FNPS")
    Deliberation.objects.create(ambito=world.b.ambito, body=world.b[Body], number="7/2031",
                                date=date(2031, 3, 1), subject="Variazione di beta")
    url = reverse("planning:act_list", args=["alfa"])

    def numbers(**query):
        page = client.get(url, query).context["page"]
        return sorted(act.number for act in page)

    assert numbers() == ["1", "7/2031", "XI/501"]
    assert numbers(number="7/") == ["7/2031"]
    assert numbers(q="fnps") == ["7/2031", "XI/501"]
    assert numbers(date_from="2030-06-01", date_to="2030-12-31") == ["XI/501"]
    assert numbers(approves="variation") == ["7/2031"]
    response = client.get(url, {"date_from": "2031-01-01", "date_to": "2030-01-01"})
    assert "La data finale precede" in response.context["search"].errors["date_to"][0]


def test_the_detail_shows_what_the_act_approves(client, world):
    client.force_login(world.user("assembly_a"))
    act = world.a[Deliberation]
    plan = world.a[OperatingPlan]
    OperatingPlan.objects.filter(pk=plan.pk).update(approval=act)
    content = client.get(reverse("planning:act_detail", args=[act.pk])).content.decode()
    assert "Piani Operativi approvati" in content and plan.title in content
    assert "Variazioni di bilancio" in content  # the builder's variation cites this act


def test_the_attached_pdf_only_to_readers(client, world):
    act = Deliberation.objects.create(ambito=world.a.ambito, body=world.a[Body], number="9",
                                      date=date(2030, 4, 1), subject="Atto", act=pdf())
    url = reverse("planning:act_file", args=[act.pk])
    client.force_login(world.user("assembly_a"))
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    client.force_login(world.user("staff_b"))
    assert client.get(url).status_code == 404


def test_unknown_ambito_is_404(client, world):
    client.force_login(world.user("superuser"))
    assert not Ambito.objects.filter(slug="gamma").exists()
    assert client.get(reverse("planning:act_list", args=["gamma"])).status_code == 404
