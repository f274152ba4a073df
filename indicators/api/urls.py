"""Routes of the indicators app, registered under /api/v1/indicators/ by pianozona.api.urls."""

from . import views

routes = [
    ("indicators", views.IndicatorViewSet, "indicator"),
    ("measurements", views.MeasurementViewSet, "measurement"),
    ("milestones", views.MilestoneViewSet, "milestone"),
    ("evaluation-criteria", views.EvaluationCriterionViewSet, "evaluationcriterion"),
    ("kpis", views.KpiViewSet, "kpi"),
    ("kpi-values", views.KpiValueViewSet, "kpivalue"),
]
