"""Routes of the Comuni's spesa sociale of an ambito: table, entry, import, template."""

from django.urls import path

from . import views_spending as v

urlpatterns = [
    path("ambiti/<slug:ambito>/spesa-sociale/", v.SpendingView.as_view(), name="spending"),
    path("ambiti/<slug:ambito>/spesa-sociale/registra/", v.SpendingEntryView.as_view(),
         name="spending_entry"),
    path("ambiti/<slug:ambito>/spesa-sociale/importa/", v.SpendingImportView.as_view(),
         name="spending_import"),
    path("ambiti/<slug:ambito>/spesa-sociale/<int:year>/modello.<str:fmt>",
         v.SpendingExportView.as_view(), name="spending_export"),
]
