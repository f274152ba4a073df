from django.urls import path

from . import views

app_name = "indicators"

urlpatterns = [
    path("piani/<int:pk>/rilevazioni/", views.CurrentQuarterView.as_view(),
         name="quarter_current"),
    path("piani/<int:pk>/rilevazioni/<int:quarter>/", views.QuarterEntryView.as_view(),
         name="quarter"),
    path("piani/<int:pk>/rilevazioni/<int:quarter>/importa/",
         views.MeasurementImportView.as_view(), name="import"),
    path("piani/<int:pk>/rilevazioni/<int:quarter>/esporta.<str:fmt>",
         views.MeasurementExportView.as_view(), name="export"),
]
