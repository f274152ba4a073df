"""Routes of the plan pages: carry (new plan from last year)."""

from django.urls import path

from . import views_carry

urlpatterns = [
    path("piani/<int:pk>/nuovo-piano/", views_carry.CarryView.as_view(), name="carry"),
]
