from django.urls import path

from . import views

app_name = "objectives"

urlpatterns = [
    path("piani/", views.PlanListView.as_view(), name="plan_list"),
    path("piani/<int:pk>/", views.PlanDetailView.as_view(), name="plan_detail"),
    path("piani/<int:pk>/cruscotto/", views.DashboardView.as_view(), name="dashboard"),
    path("obiettivi/<int:pk>/", views.ObjectiveDetailView.as_view(), name="objective_detail"),
]
