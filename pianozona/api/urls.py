"""/api/v1/: the router of every app's viewsets, the API root, the schema and its docs."""

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularSwaggerSplitView,
)
from rest_framework.routers import DefaultRouter

from budget.api.urls import routes as budget_routes
from classification.api.urls import routes as classification_routes
from exports.views import BudgetLineExportView, MeasurementExportView
from governance.api.changes import ChangeFeedViewSet
from governance.api.urls import routes as governance_routes
from indicators.api.urls import routes as indicators_routes
from objectives.api.urls import routes as objectives_routes
from security.api import ObtainTokenView
from security.csp import redoc_view


class ApiRouter(DefaultRouter):
    # "?format=csv" selects the format; suffixes (".csv") would double every path in the schema.
    include_format_suffixes = False


router = ApiRouter()
for app, routes in (
    ("governance", governance_routes),
    ("objectives", objectives_routes),
    ("budget", budget_routes),
    ("indicators", indicators_routes),
    ("classification", classification_routes),
):
    for prefix, viewset, basename in routes:
        router.register(f"{app}/{prefix}", viewset, basename=f"{app}-{basename}")
router.register("changes", ChangeFeedViewSet, basename="change")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Split: Swagger UI's start-up script is a separate file, so the CSP needs no inline script.
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", redoc_view(url_name="api-schema"), name="api-redoc"),
    path("auth/token/", ObtainTokenView.as_view(), name="api-token"),
    path("auth/", include("rest_framework.urls")),
    # Before the router: its detail route would take "export" for an id.
    path("budget/budget-lines/export/", BudgetLineExportView.as_view(),
         name="budget-budgetline-export"),
    path("indicators/measurements/export/", MeasurementExportView.as_view(),
         name="indicators-measurement-export"),
    path("", include(router.urls)),
]
