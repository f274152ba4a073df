"""Routes of the plan pages: structure (objectives, actions, referenti, indicators, ranges,
milestones, narrative sections)."""

from django.urls import path

from . import views_structure as views

urlpatterns = [
    path("piani/<int:pk>/struttura/", views.PlanStructureView.as_view(), name="structure"),
    path("piani/<int:pk>/struttura/testi/nuovo/", views.SectionEditView.as_view(),
         name="structure_section_add"),
    path("piani/<int:pk>/struttura/testi/<int:section>/", views.SectionEditView.as_view(),
         name="structure_section_edit"),
    path("piani/<int:pk>/struttura/testi/<int:section>/elimina/",
         views.SectionDeleteView.as_view(), name="structure_section_delete"),
    path("piani/<int:pk>/struttura/testi/<int:section>/sposta/",
         views.SectionMoveView.as_view(), name="structure_section_move"),
    path("struttura/obiettivi/<int:pk>/", views.ObjectiveStructureView.as_view(),
         name="structure_objective"),
    # <kind>: obiettivi (pk of the plan), azioni, referenti, indicatori, range, traguardi
    # (pk of the objective).
    path("struttura/<str:kind>/in/<int:pk>/nuovo/", views.ItemCreateView.as_view(),
         name="structure_add"),
    path("struttura/<str:kind>/<int:pk>/modifica/", views.ItemUpdateView.as_view(),
         name="structure_edit"),
    path("struttura/<str:kind>/<int:pk>/elimina/", views.ItemDeleteView.as_view(),
         name="structure_delete"),
    path("struttura/<str:kind>/<int:pk>/sposta/", views.ItemMoveView.as_view(),
         name="structure_move"),
]
