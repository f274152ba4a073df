"""Routes of the objectives app, registered under /api/v1/objectives/ by pianozona.api.urls."""

from . import views

routes = [
    ("zone-plans", views.ZonePlanViewSet, "zoneplan"),
    ("areas", views.AreaViewSet, "area"),
    ("policy-goals", views.PolicyGoalViewSet, "policygoal"),
    ("operating-plans", views.OperatingPlanViewSet, "operatingplan"),
    ("objectives", views.ObjectiveViewSet, "objective"),
    ("actions", views.ActionViewSet, "action"),
    ("referents", views.ReferentViewSet, "referent"),
    ("sections", views.SectionViewSet, "section"),
    ("tables", views.DataTableViewSet, "datatable"),
]
