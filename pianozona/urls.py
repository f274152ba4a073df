from django.conf import settings
from django.contrib import admin
from django.urls import path
from django.views.generic import RedirectView

from .views import healthz

admin.site.site_header = "Piano di Zona – amministrazione"
admin.site.site_title = "Piano di Zona"
admin.site.index_title = "Gestione dei dati del Piano"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
]
