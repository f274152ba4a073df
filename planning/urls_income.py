"""Routes of the plan pages: entrate per canale, and the consuntivo of the whole plan."""

from django.urls import path

from . import views_income as v

urlpatterns = [
    path("piani/<int:pk>/entrate/", v.IncomeView.as_view(), name="income"),
    path("piani/<int:pk>/entrate/nuova/", v.IncomeCreateView.as_view(), name="income_add"),
    path("piani/<int:pk>/entrate/<int:row>/", v.IncomeUpdateView.as_view(),
         name="income_edit"),
    path("piani/<int:pk>/entrate/<int:row>/elimina/", v.IncomeDeleteView.as_view(),
         name="income_delete"),
    path("piani/<int:pk>/consuntivo/importa/", v.ConsuntivoImportView.as_view(),
         name="consuntivo_import"),
]
