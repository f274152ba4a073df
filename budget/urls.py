from django.urls import path

from . import views

app_name = "budget"

urlpatterns = [
    path("obiettivi/<int:pk>/budget/", views.BudgetEntryView.as_view(), name="entry"),
    path("obiettivi/<int:pk>/budget/importa/", views.BudgetImportView.as_view(), name="import"),
    path("obiettivi/<int:pk>/budget/esporta.<str:fmt>", views.BudgetExportView.as_view(),
         name="export"),
]
