"""Routes of the plan pages: carry (new plan from last year, the plan's budget in Excel)."""

from django.urls import path

from . import views_carry

urlpatterns = [
    path("piani/<int:pk>/nuovo-piano/", views_carry.CarryView.as_view(), name="carry"),
    path("piani/<int:pk>/budget/importa/", views_carry.PlanBudgetImportView.as_view(),
         name="carry_budget_import"),
    path("piani/<int:pk>/budget/esporta.<str:fmt>", views_carry.PlanBudgetExportView.as_view(),
         name="carry_budget_export"),
]
