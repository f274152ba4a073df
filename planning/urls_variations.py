"""Routes of the plan pages: variations."""

from django.urls import path

from . import views_variations

urlpatterns = [
    path("righe/<int:pk>/variazione/", views_variations.VariationCreateView.as_view(),
         name="variation_create"),
    path("azioni/<int:pk>/variazione-nuova-voce/",
         views_variations.VariationAddLineView.as_view(), name="variation_add_line"),
    path("piani/<int:pk>/variazioni/", views_variations.VariationListView.as_view(),
         name="variation_list"),
]
