"""Excel and CSV in and out, the Italian way, on top of django-import-export.

- Export: numbers stay numbers in xlsx with an Italian-looking format; text that
  a spreadsheet would run as a formula (= + - @) is neutralised.
- Import: the whole file is validated before anything is written, errors name
  the row and the column in Italian, lookups are loaded once (not one query per
  row), and rows outside the user's scope are refused.
"""

import csv
import datetime
import io
from decimal import Decimal

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.http import Http404, HttpResponse
from import_export import resources, widgets
from import_export.formats import base_formats

from core.numbers import format_decimal, parse_decimal

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MONEY_FORMAT = "#,##0.00"  # stored locale-neutral: an Italian Excel shows it as #.##0,00
MEASURE_FORMAT = "#,##0.####"
DATE_FORMAT = "DD/MM/YYYY"


def escape_formula(value):
    """Text that a spreadsheet would evaluate gets a leading apostrophe (OWASP CSV injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def unescape_formula(value):
    if isinstance(value, str) and len(value) > 1 and value[0] == "'" and (
        value[1] in FORMULA_START
    ):
        return value[1:]
    return value


class ItalianXLSX(base_formats.XLSX):
    """xlsx with real numbers and dates, formatted per column, and formulas neutralised."""

    def export_data(self, dataset, **kwargs):
        import openpyxl
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        book = openpyxl.Workbook()
        sheet = book.active
        sheet.title = (dataset.title or "Dati")[:31]
        sheet.append(list(dataset.headers))
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        formats = getattr(dataset, "number_formats", {})
        column_formats = [formats.get(h) for h in dataset.headers]
        for row in dataset:
            sheet.append([_xlsx_value(v) for v in row])
            current = sheet.max_row
            for col, (value, number_format) in enumerate(
                zip(row, column_formats, strict=False), 1
            ):
                cell = sheet.cell(row=current, column=col)
                if isinstance(value, str):
                    # A string cell is never evaluated; quotePrefix keeps it text when edited.
                    cell.data_type = "s"
                    if value.startswith(FORMULA_START):
                        cell.quotePrefix = True
                elif isinstance(value, datetime.date):
                    cell.number_format = DATE_FORMAT
                elif number_format and isinstance(value, Decimal | int | float):
                    cell.number_format = number_format
        for col, header in enumerate(dataset.headers, 1):
            width = max(12, min(60, len(header) + 4))
            sheet.column_dimensions[get_column_letter(col)].width = width
        sheet.freeze_panes = "A2"
        out = io.BytesIO()
        book.save(out)
        return out.getvalue()

    def create_dataset(self, in_stream):
        """The first sheet; short rows (Excel omits trailing empty cells) are padded."""
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(in_stream), read_only=True, data_only=True)
        try:
            rows = book.worksheets[0].iter_rows(values_only=True)
            headers = list(next(rows, ()))
            width = len(headers)
            dataset = tablib.Dataset()
            dataset.headers = headers
            for row in rows:
                values = list(row)[:width]
                dataset.append(values + [None] * (width - len(values)))
        finally:
            book.close()
        return _trim(dataset)


def _xlsx_value(value):
    if isinstance(value, datetime.datetime):
        return value.replace(tzinfo=None)
    return value


class ItalianCSV(base_formats.CSV):
    """CSV as an Italian Excel opens it: semicolons, decimal comma, UTF-8 with BOM."""

    def export_data(self, dataset, **kwargs):
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(dataset.headers)
        for row in dataset:
            writer.writerow([_csv_value(v) for v in row])
        return "\ufeff" + out.getvalue()

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                in_stream = in_stream.decode("cp1252")
        in_stream = in_stream.lstrip("\ufeff")
        first = in_stream.split("\n", 1)[0]
        delimiter = max([";", ",", "\t"], key=first.count)
        rows = list(csv.reader(io.StringIO(in_stream), delimiter=delimiter))
        dataset = tablib.Dataset()
        if rows:
            dataset.headers = [h.strip() for h in rows[0]]
            width = len(dataset.headers)
            for row in rows[1:]:
                dataset.append((row + [""] * width)[:width])
        return _trim(dataset)


def _csv_value(value):
    if value is None:
        return ""
    if isinstance(value, Decimal):
        places = -value.as_tuple().exponent
        if places > 2:  # measurements: no trailing zeros; money keeps its two decimals
            places = max(0, -value.normalize().as_tuple().exponent)
        return format_decimal(value, places=max(0, places), grouping=False)
    if isinstance(value, datetime.date):
        return f"{value:%d/%m/%Y}"
    return escape_formula(str(value))


def _trim(dataset):
    """Drop fully empty rows and unnamed trailing columns (what spreadsheets leave behind)."""
    headers = [("" if h is None else str(h).strip()) for h in (dataset.headers or [])]
    while headers and not headers[-1]:
        headers.pop()
    trimmed = tablib.Dataset()
    trimmed.headers = headers
    width = len(headers)
    for row in dataset:
        values = list(row)[:width] + [None] * max(0, width - len(row))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        trimmed.append(values)
    return trimmed


FORMATS = {"xlsx": ItalianXLSX, "csv": ItalianCSV}


def format_for_upload(name):
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    fmt = FORMATS.get(extension)
    if fmt is None:
        raise ValidationError("Carica un file .xlsx (Excel) oppure .csv.")
    return fmt()


# --- Widgets: Italian numbers and dates, native values on export ---------------------------


class TextWidget(widgets.Widget):
    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if value is None:
            return ""
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return unescape_formula(str(value).strip())

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class ItalianDecimalWidget(widgets.Widget):
    def __init__(self, *, places, max_digits=14, allow_negative=False, label="Il valore"):
        super().__init__(coerce_to_string=False)
        self.places, self.max_digits = places, max_digits
        self.allow_negative, self.label = allow_negative, label

    def clean(self, value, row=None, **kwargs):
        try:
            return parse_decimal(value, places=self.places, max_digits=self.max_digits,
                                 allow_negative=self.allow_negative, label=self.label)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return value


class ItalianDateWidget(widgets.Widget):
    def __init__(self):
        super().__init__(coerce_to_string=False)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = str(value).strip()
        for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d/%m/%y", "%d-%m-%Y"):
            try:
                return datetime.datetime.strptime(text, fmt).date()
            except ValueError:
                continue
        raise ValueError(f"«{text}» non è una data valida: scrivi ad esempio 31/03/2030.")

    def render(self, value, obj=None, **kwargs):
        return value


# --- The base resource -----------------------------------------------------------------------


class RowError(Exception):
    """A problem of one row, keyed by the resource field it concerns."""


class EntryResource(resources.ModelResource):
    """Scope-checked, preloaded, Italian-speaking imports and exports.

    Subclasses set ``number_formats`` (column name -> xlsx format), implement
    ``preload()`` (every lookup the rows need, in a few queries) and
    ``resolve(instance, row, errors)`` (links and checks that need those lookups).
    """

    number_formats = {}
    save_in_dry_run = True  # False: the preview validates without writing (large files)
    compared_fields = ()  # model attributes an import may change (skip and preview)
    labels = {}
    money_fields = ()  # compared fields shown as amounts in the preview ("2.000,00 €")

    class Meta:
        clean_model_instances = False  # validated by resolve() without a query per row
        skip_unchanged = True
        report_skipped = True
        use_transactions = True

    def __init__(self, *, user=None, **context):
        super().__init__()
        self.user = user
        self.context = context
        self.loaded = False

    # -- lookups ----------------------------------------------------------------------------
    def before_import(self, dataset, **kwargs):
        self.user = self.user or kwargs.get("user")
        if self.user is None or not self.user.is_authenticated:
            raise ValueError("Importazione rifiutata: utente non identificato.")
        missing = [
            f.column_name for f in self.required_columns() if f.column_name not in dataset.headers
        ]
        if missing:
            names = ", ".join(f"«{m}»" for m in missing)
            raise ValueError(
                f"Nel file mancano le colonne {names}. Scarica il modello dalla pagina ed "
                "usa le sue intestazioni."
            )
        self.seen = set()
        self.preload()
        self.loaded = True

    def required_columns(self):
        return [self.fields[name] for name in self.required_fields]

    def preload(self):
        raise NotImplementedError

    def column(self, attribute):
        for field in self.fields.values():
            if field.attribute == attribute or field.column_name == attribute:
                return field.column_name
        return attribute

    # -- rows -------------------------------------------------------------------------------
    def get_instance(self, instance_loader, row):
        return self.find_instance(row)

    def find_instance(self, row):
        raise NotImplementedError

    def import_instance(self, instance, row, **kwargs):
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
        try:
            self.resolve(instance, row, errors)
        except RowError as exc:
            errors.setdefault(NON_FIELD_ERRORS, []).append(str(exc))
        if errors:
            raise ValidationError(errors)

    def resolve(self, instance, row, errors):
        raise NotImplementedError

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # import-export compares only fields with an attribute; ours are resolved by hand.
        if import_validation_errors:
            return False
        if getattr(instance, "_skip", False):
            return True
        if instance.pk is None or original is None:
            return False
        return all(getattr(instance, f) == getattr(original, f) for f in self.compared_fields)

    def preview_value(self, instance, name):
        if instance is None:
            return None
        if name.endswith("_id"):
            related = getattr(instance, name[:-3], None)
            if related is None:
                return None
            # The name people know (a funding channel's label), else its text.
            return str(getattr(related, "label", None) or related)
        field = instance._meta.get_field(name)
        if field.choices:
            return dict(field.flatchoices).get(getattr(instance, name), getattr(instance, name))
        return getattr(instance, name)

    def before_save_instance(self, instance, row, **kwargs):
        instance._history_user = self.user
        instance._change_reason = "Importazione da file"

    def save_instance(self, instance, is_create, row, **kwargs):
        if kwargs.get("dry_run") and not self.save_in_dry_run:
            return  # the preview of a large file validates without writing
        super().save_instance(instance, is_create, row, **kwargs)

    # -- export -----------------------------------------------------------------------------
    def export_dataset(self, queryset):
        dataset = self.export(queryset=queryset)
        dataset.number_formats = self.number_formats
        dataset.title = self.sheet_title
        return dataset

    def export_response(self, queryset, *, fmt, filename):
        if fmt not in FORMATS:
            raise Http404("Formato non disponibile.")
        file_format = FORMATS[fmt]()
        data = file_format.export_data(self.export_dataset(queryset))
        response = HttpResponse(data, content_type=file_format.get_content_type())
        response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
        return response


def import_messages(result, resource):
    """Every error of an import result as an Italian sentence naming row and column.

    Rows are numbered as the spreadsheet shows them (the header is row 1).
    """
    found = []
    for error in result.base_errors:
        found.append(str(error.error))
    for number, errors in result.row_errors():
        for error in errors:
            found.append(f"Riga {number + 1}: {error.error}")
    for invalid in result.invalid_rows:
        for attribute, problems in invalid.error_dict.items():
            for problem in problems:
                if attribute == NON_FIELD_ERRORS:
                    found.append(f"Riga {invalid.number + 1}: {problem}")
                else:
                    found.append(
                        f"Riga {invalid.number + 1}, colonna «{resource.column(attribute)}»: "
                        f"{problem}"
                    )
    return found
