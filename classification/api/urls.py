"""Routes of the classification app, registered under /api/v1/classification/."""

from . import views

routes = [
    ("assignments", views.AssignmentViewSet, "assignment"),
]
