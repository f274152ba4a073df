"""The import pages: upload, full validation and preview, then an atomic confirm.

The uploaded file waits in a private temporary folder between the preview and the
confirmation; the session says which user and which page it belongs to, so a
token cannot be replayed elsewhere.
"""

import secrets
import tempfile
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.template.response import TemplateResponse

from core.concurrency import display_value
from core.uploads import validate_spreadsheet
from core.wording import counted_rows

from .spreadsheets import format_for_upload, import_messages

SESSION_KEY = "pianozona_pending_imports"
PREVIEW_LIMIT = 200


def _folder():
    folder = Path(tempfile.gettempdir()) / "pianozona-imports"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


class UploadForm(forms.Form):
    file = forms.FileField(
        label="File Excel (.xlsx) o CSV",
        help_text="Usa le intestazioni del file scaricato da questa pagina.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv", "class": "form-control"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        validate_spreadsheet(upload)  # size, extension and content (core/uploads.py)
        format_for_upload(upload.name)
        return upload


def read_dataset(name, data):
    file_format = format_for_upload(name)
    try:
        return file_format.create_dataset(data)
    except Exception as exc:  # noqa: BLE001 - any parser failure is the same message to the user
        raise ValidationError(
            "Il file non si riesce a leggere: salvalo come .xlsx oppure come CSV (UTF-8)."
        ) from exc


def run_import(resource, dataset, *, user, dry_run):
    """Validate every row; unless ``dry_run``, write them all or none."""
    return resource.import_data(
        dataset,
        dry_run=dry_run,
        raise_errors=False,
        use_transactions=True,
        rollback_on_validation_errors=True,
        retain_instance_in_row_result=True,
        user=user,
    )


def has_problems(result):
    return result.has_errors() or result.has_validation_errors()


def preview_rows(result, resource, limit=PREVIEW_LIMIT):
    """What the import will change, row by row (new and changed rows only)."""
    rows = []
    for number, row_result in enumerate(result.rows, 1):
        if row_result.import_type not in ("new", "update"):
            continue
        if len(rows) >= limit:
            break
        new, old = row_result.instance, row_result.original
        changes = []
        for name in resource.compared_fields:
            after = resource.preview_value(new, name)
            before = None
            if row_result.import_type == "update":
                before = resource.preview_value(old, name)
            if row_result.import_type == "update" and before == after:
                continue
            if row_result.import_type == "new" and after in (None, ""):
                continue
            money = name in resource.money_fields
            changes.append((resource.labels.get(name, name), display_value(before, money=money),
                            display_value(after, money=money)))
        rows.append({"type": "nuova" if row_result.import_type == "new" else "modificata",
                     "changes": changes or [("–", "", "")], "number": number + 1})
    return rows


class ImportPageMixin:
    """Subclasses define ``import_scope()``, ``page_context()``, ``done_url()``, ``kind``."""

    resource_class = None
    template_name = None
    kind = ""

    def make_resource(self, resource_context):
        return self.resource_class(user=self.request.user, **resource_context)

    def render_page(self, *, status=200, **extra):
        context = self.page_context()
        context.update(extra)
        context.setdefault("form", UploadForm())
        context["columns"] = [
            f.column_name for f in self.resource_class().get_export_fields()
        ]
        return TemplateResponse(self.request, self.template_name, context, status=status)

    def get(self, request, *args, **kwargs):
        self.import_scope()
        return self.render_page()

    def post(self, request, *args, **kwargs):
        resource_context, scope = self.import_scope()
        if "token" in request.POST:
            return self.confirm(resource_context, scope)
        form = UploadForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_page(form=form)
        upload = form.cleaned_data["file"]
        data = upload.read()
        try:
            dataset = read_dataset(upload.name, data)
        except ValidationError as exc:
            form.add_error("file", exc)
            return self.render_page(form=form)
        resource = self.make_resource(resource_context)
        result = run_import(resource, dataset, user=request.user, dry_run=True)
        if has_problems(result):
            return self.render_page(form=form, problems=import_messages(result, resource),
                                    file_name=upload.name)
        token = secrets.token_hex(16)
        (_folder() / token).write_bytes(data)
        pending = request.session.get(SESSION_KEY, {})
        pending[token] = {"scope": scope, "name": upload.name, "kind": self.kind}
        request.session[SESSION_KEY] = pending
        totals = result.totals
        return self.render_page(
            token=token, file_name=upload.name, preview=preview_rows(result, resource),
            count_new=totals.get("new", 0), count_update=totals.get("update", 0),
            count_skip=totals.get("skip", 0), preview_limit=PREVIEW_LIMIT,
            warnings=getattr(resource, "warnings", []),
        )

    def confirm(self, resource_context, scope):
        request = self.request
        token = request.POST.get("token", "")
        pending = request.session.get(SESSION_KEY, {})
        entry = pending.get(token)
        if entry is None or entry["scope"] != scope or entry["kind"] != self.kind:
            raise PermissionDenied("Questa importazione non è più disponibile: ricarica il file.")
        path = _folder() / token
        if not path.exists():
            raise PermissionDenied("Questa importazione non è più disponibile: ricarica il file.")
        dataset = read_dataset(entry["name"], path.read_bytes())
        resource = self.make_resource(resource_context)
        result = run_import(resource, dataset, user=request.user, dry_run=False)
        if has_problems(result):
            # Somebody changed the data since the preview: nothing was written.
            return self.render_page(problems=import_messages(result, resource),
                                    file_name=entry["name"])
        path.unlink(missing_ok=True)
        pending.pop(token, None)
        request.session[SESSION_KEY] = pending
        totals = result.totals
        messages.success(
            request,
            f"Importazione completata da «{entry['name']}»: " + counted_rows(
                totals.get("new", 0), totals.get("update", 0), totals.get("skip", 0)) + ".",
        )
        for warning in dict.fromkeys(getattr(resource, "warnings", [])):
            messages.warning(request, warning)
        return self.done_url()
