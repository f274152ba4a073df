"""Routes of the governance app, registered under /api/v1/governance/ by pianozona.api.urls.

Paths use the same English names as the fields and filters of the JSON (``municipality``,
``body``…), so a script reads one vocabulary; the descriptions are in Italian.
"""

from . import views

routes = [
    ("ambiti", views.AmbitoViewSet, "ambito"),
    ("sub-ambiti", views.SubAmbitoViewSet, "subambito"),
    ("municipalities", views.MunicipalityViewSet, "municipality"),
    ("population", views.PopulationFigureViewSet, "populationfigure"),
    ("municipal-spending", views.MunicipalSpendingViewSet, "municipalspending"),
    ("organisations", views.OrganisationViewSet, "organisation"),
    ("bodies", views.BodyViewSet, "body"),
    ("body-members", views.BodyMemberViewSet, "bodymember"),
    ("meetings", views.MeetingViewSet, "meeting"),
    ("deliberations", views.DeliberationViewSet, "deliberation"),
    ("documents", views.SourceDocumentViewSet, "sourcedocument"),
    ("printed-totals", views.PrintedTotalViewSet, "printedtotal"),
]
