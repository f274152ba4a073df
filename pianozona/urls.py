from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from core.privacy import privacy_notice
from core.views import healthz
from security.views import admin_login

admin.site.site_header = "Piano di Zona – amministrazione"
admin.site.site_title = "Piano di Zona"
admin.site.index_title = "Gestione dei dati del Piano"

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="objectives:plan_list", permanent=False)),
    # Before the admin: its login gets the second step (security/views.py).
    path(f"{settings.ADMIN_URL}login/", admin_login),
    path(settings.ADMIN_URL, admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("privacy/", privacy_notice, name="privacy"),
    path("api/v1/", include("pianozona.api.urls")),
    path("report/", include("reports.urls")),
    path("", include("security.entry_urls")),
    path("", include("security.urls")),
    path("", include("objectives.urls")),
    path("", include("budget.urls")),
    path("", include("indicators.urls")),
    path("", include("planning.urls")),
    path("", include("returns.urls")),
]

# Italian error pages that need no database; a database error anywhere answers 503.
handler500 = "core.middleware.server_error"
