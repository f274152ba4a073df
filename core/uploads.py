"""What an uploaded file must be before anything reads it: size and type.

The type is checked on the name *and* on the content, because a name is whatever the
sender typed: an .xlsx is a zip holding ``[Content_Types].xml`` and a workbook, a CSV
is text, a PDF starts with ``%PDF-``. Files are kept under MEDIA_ROOT, which no URL
serves: attached acts and reports reach a browser only through views that check who
is asking.
"""

import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat

LABELS = {"xlsx": "Excel (.xlsx)", "csv": "CSV", "pdf": "PDF"}
SPREADSHEETS = ("xlsx", "csv")
ACTS = ("pdf",)
# A workbook that unpacks to more than this many times the upload limit is refused
# before openpyxl expands it in memory (a "zip bomb").
MAX_EXPANSION = 20
SNIFF_BYTES = 64 * 1024


def _head(upload, size=SNIFF_BYTES):
    upload.seek(0)
    head = upload.read(size)
    upload.seek(0)
    return head


def _is_xlsx(upload):
    try:
        upload.seek(0)
        with zipfile.ZipFile(upload) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    finally:
        upload.seek(0)
    if unpacked > MAX_EXPANSION * settings.UPLOAD_MAX_BYTES:
        raise ValidationError(
            "Il file Excel, una volta aperto, sarebbe troppo grande: dividilo in più file.",
            code="upload_expansion",
        )
    return "[Content_Types].xml" in names and "xl/workbook.xml" in names


def _is_text(upload):
    head = _head(upload)
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # The sample may end inside a multi-byte character.
        if exc.start < len(head) - 4:
            try:
                head.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return True


def _is_pdf(upload):
    return _head(upload, 1024).lstrip(b"\r\n\t ").startswith(b"%PDF-")


SNIFFERS = {"xlsx": _is_xlsx, "csv": _is_text, "pdf": _is_pdf}


def check_upload(upload, kinds):
    """Raise ValidationError (in Italian) unless ``upload`` is one of ``kinds`` and small enough."""
    name = PurePath(upload.name or "").name
    extension = PurePath(name).suffix.lower().lstrip(".")
    allowed = " o ".join(LABELS[k] for k in kinds)
    if extension not in kinds:
        raise ValidationError(
            f"Il file «{name}» non è di un tipo ammesso: si accettano solo file {allowed}.",
            code="upload_type",
        )
    limit = settings.UPLOAD_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            f"Il file «{name}» è di {filesizeformat(upload.size)}: il massimo consentito è "
            f"{filesizeformat(limit)}.",
            code="upload_size",
        )
    if not SNIFFERS[extension](upload):
        raise ValidationError(
            f"Il contenuto del file «{name}» non è un file {LABELS[extension]} valido: "
            "controlla di aver scelto il file giusto e salvalo di nuovo nel formato richiesto.",
            code="upload_content",
        )
    return upload


def validate_spreadsheet(upload):
    return check_upload(upload, SPREADSHEETS)


def validate_act(value):
    """Validator of ``Deliberation.act``: only a newly uploaded file is checked."""
    if not value or getattr(value, "_committed", True):
        return
    check_upload(value.file, ACTS)


def checked_import_form():
    """django-import-export's admin import form, with the same checks as the import pages."""
    from import_export.forms import ImportForm

    class CheckedImportForm(ImportForm):
        def clean_import_file(self):
            return validate_spreadsheet(self.cleaned_data["import_file"])

    return CheckedImportForm
