"""Uploads are limited in size and type (name and content), refused in Italian with nothing
changed, and kept under MEDIA_ROOT where no URL serves them."""

import io
from html import unescape
from pathlib import Path

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from budget.models import BudgetLine
from core.entry.imports import SESSION_KEY
from core.uploads import check_upload
from governance.models import Deliberation
from indicators.models import Measurement
from objectives.models import Objective

pytestmark = pytest.mark.django_db


def xlsx_bytes(rows=(("ID riga", "Voce"),)):
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(name, data):
    return SimpleUploadedFile(name, data)


def budget_state():
    return sorted(BudgetLine.objects.values_list("pk", "item", "preventivo", "consuntivo"))


REFUSALS = [
    ("virus.exe", b"MZ\x90\x00", "Il file «virus.exe» non è di un tipo ammesso: si accettano "
     "solo file Excel (.xlsx) o CSV."),
    ("budget.xlsx", b"ID riga;Voce\n1;x\n", "Il contenuto del file «budget.xlsx» non è un file "
     "Excel (.xlsx) valido"),
    ("budget.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "Il contenuto del file «budget.csv» "
     "non è un file CSV valido"),
    ("finto.xlsx", b"PK\x03\x04" + b"\x00" * 40, "Il contenuto del file «finto.xlsx» non è un "
     "file Excel (.xlsx) valido"),
]


@pytest.mark.parametrize("name, data, message", REFUSALS)
def test_import_page_refuses_a_file_of_the_wrong_type(client, world, name, data, message):
    client.force_login(world.user("staff_a"))
    before = budget_state()
    url = reverse("budget:import", args=[world.a[Objective].pk])
    response = client.post(url, {"file": upload(name, data)})
    assert response.status_code == 200
    assert message in unescape(response.content.decode())
    assert budget_state() == before
    assert not client.session.get(SESSION_KEY)


def test_import_page_refuses_a_file_too_big(client, world, settings):
    settings.UPLOAD_MAX_BYTES = 1024
    client.force_login(world.user("staff_a"))
    before = budget_state()
    url = reverse("budget:import", args=[world.a[Objective].pk])
    data = b"ID riga;Voce\n" + b"1;voce lunga\n" * 200
    response = client.post(url, {"file": upload("budget.csv", data)})
    assert "Il file «budget.csv» è di 2,6\xa0KB: il massimo consentito è 1,0\xa0KB." in \
        unescape(response.content.decode())
    assert budget_state() == before


def test_the_checks_let_real_files_through():
    assert check_upload(upload("a.xlsx", xlsx_bytes()), ("xlsx", "csv"))
    assert check_upload(upload("a.csv", "ID riga;Voce\n1;Attività\n".encode("utf-8-sig")),
                        ("xlsx", "csv"))
    assert check_upload(upload("a.csv", "1;Attività\n".encode("cp1252")), ("csv",))
    assert check_upload(upload("atto.PDF", b"%PDF-1.7\n%\xe2\xe3\n1 0 obj"), ("pdf",))
    with pytest.raises(ValidationError, match="non è un file PDF valido"):
        check_upload(upload("atto.pdf", b"<html>not a pdf</html>"), ("pdf",))


def test_admin_import_refuses_a_disguised_file(client, world):
    client.force_login(world.user("staff_a"))
    before = Measurement.objects.count()
    response = client.post(reverse("admin:indicators_measurement_import"), {
        "format": 0, "resource": 0,
        "import_file": upload("rilevazioni.xlsx", b"<?php system($_GET['c']); ?>"),
    })
    assert response.status_code == 200
    assert "Il contenuto del file «rilevazioni.xlsx» non è un file Excel (.xlsx) valido" in \
        unescape(response.content.decode())
    assert Measurement.objects.count() == before


def deliberation_post(world, act):
    return {"ambito": world.a.ambito.pk, "subject": "Approvazione del Piano Operativo",
            "approves": "operating_plan", "number": "12", "act": act}


def test_an_attached_act_must_be_a_pdf_and_is_kept_out_of_reach(client, world):
    client.force_login(world.user("superuser"))
    url = reverse("admin:governance_deliberation_add")
    before = Deliberation.objects.count()
    response = client.post(url, deliberation_post(world, upload("atto.pdf", b"MZ\x90\x00exe")))
    assert response.status_code == 200
    assert "Il contenuto del file «atto.pdf» non è un file PDF valido" in \
        unescape(response.content.decode())
    response = client.post(url, deliberation_post(world, upload("atto.docx", b"PK\x03\x04")))
    assert "si accettano solo file PDF" in unescape(response.content.decode())
    assert Deliberation.objects.count() == before

    response = client.post(url, deliberation_post(world, upload("atto.pdf", b"%PDF-1.4\n%%EOF")))
    assert response.status_code == 302
    act = Deliberation.objects.exclude(act="").get(number="12").act
    stored = Path(act.path)
    assert stored.is_file() and stored.is_relative_to(Path(settings.MEDIA_ROOT))
    assert not stored.is_relative_to(Path(settings.STATIC_ROOT))
    # No URL serves MEDIA_ROOT: the file's own address is not found.
    assert client.get(settings.MEDIA_URL + act.name).status_code == 404


def test_no_url_serves_media_files():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern.callback

    for route, view in walk(get_resolver().url_patterns):
        assert getattr(view, "__module__", "") != "django.views.static", route
        assert not route.lstrip("^").startswith(settings.MEDIA_URL.strip("/")), route
