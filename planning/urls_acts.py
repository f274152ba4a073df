"""Routes of the plan pages: acts."""

from django.urls import path

from . import views_acts

urlpatterns = [
    path("ambiti/<slug:ambito>/atti/", views_acts.ActListView.as_view(), name="act_list"),
    path("ambiti/<slug:ambito>/atti/nuovo/", views_acts.ActCreateView.as_view(),
         name="act_create"),
    path("atti/<int:pk>/", views_acts.ActDetailView.as_view(), name="act_detail"),
    path("atti/<int:pk>/allegato.pdf", views_acts.ActFileView.as_view(), name="act_file"),
]
