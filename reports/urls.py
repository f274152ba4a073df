from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_index, name="index"),
    path("piano-operativo/<int:pk>/", views.operating_plan_reports, name="operating_plan"),
    path("piano-di-zona/<int:pk>/", views.zone_plan_reports, name="zone_plan"),
    path("richieste/<int:pk>/", views.job_detail, name="job"),
    path("richieste/<int:pk>/scarica/", views.job_download, name="download"),
]
