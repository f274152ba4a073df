from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from .views import healthz

admin.site.site_header = "Piano di Zona – amministrazione"
admin.site.site_title = "Piano di Zona"
admin.site.index_title = "Gestione dei dati del Piano"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="objectives:plan_list", permanent=False)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("pianozona.api.urls")),
    path("report/", include("pianozona.reports.urls")),
    path("", include("pianozona.entry.urls")),
    path("", include("objectives.urls")),
    path("", include("budget.urls")),
    path("", include("indicators.urls")),
]
