"""Routes of the plan pages: approval."""

from django.urls import path

from . import views_approval

urlpatterns = [
    path("piani/<int:pk>/approvazione/", views_approval.PlanApprovalView.as_view(),
         name="plan_approve"),
    path("piani-di-zona/<int:pk>/approvazione/", views_approval.ZonePlanApprovalView.as_view(),
         name="zone_plan_approve"),
]
