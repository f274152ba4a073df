"""Excel/CSV import and export in the admin, under the same scoped permissions.

Who may import is who may add rows of the model (core.scoping.can); what a
row may touch is checked by the resource against ``restrict(user, CHANGE)``. The
confirmed import is all-or-nothing: a row that became invalid since the preview
rolls the whole file back.
"""

from django.contrib import messages
from django.shortcuts import redirect
from import_export.admin import ImportExportMixin
from import_export.forms import SelectableFieldsExportForm

from core.roles import ADD, VIEW
from core.scoping import can
from core.uploads import checked_import_form

from .spreadsheets import ItalianCSV, ItalianXLSX, import_messages


class ItalianExportForm(SelectableFieldsExportForm):
    """The export's columns offered by the file's own Italian headings ("ID riga"), not by
    the resource's Python names ("Line Id (ID riga)")."""

    def _get_field_label(self, resource, field_name):
        field = resource.fields.get(field_name)
        return field.column_name if field is not None and field.column_name else field_name


class ScopedImportExportMixin(ImportExportMixin):
    export_form_class = ItalianExportForm
    import_formats = [ItalianXLSX, ItalianCSV]
    import_form_class = checked_import_form()  # size and type (core/uploads.py)
    export_formats = [ItalianXLSX, ItalianCSV]

    def has_import_permission(self, request):
        return can(request.user, ADD, self.model)

    def has_export_permission(self, request):
        return can(request.user, VIEW, self.model)

    def get_import_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_export_resource_kwargs(self, request, **kwargs):
        return {"user": request.user}

    def get_import_data_kwargs(self, **kwargs):
        kwargs = super().get_import_data_kwargs(**kwargs)
        kwargs.pop("request", None)
        kwargs.update(use_transactions=True, rollback_on_validation_errors=True)
        return kwargs

    def get_data_for_export(self, request, queryset, **kwargs):
        dataset = super().get_data_for_export(request, queryset, **kwargs)
        resource_class = self.choose_export_resource_class(kwargs.get("export_form"), request)
        dataset.number_formats = getattr(resource_class, "number_formats", {})
        return dataset

    def process_result(self, result, request):
        if result.has_errors() or result.has_validation_errors():
            resource = self.get_import_resource_classes(request)[0](user=request.user)
            messages.error(request, "Importazione annullata: nessuna riga è stata salvata.")
            for problem in import_messages(result, resource)[:50]:
                messages.error(request, problem)
            opts = self.model._meta
            return redirect(f"admin:{opts.app_label}_{opts.model_name}_import")
        return super().process_result(result, request)
