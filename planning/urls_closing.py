"""Routes of the plan pages: closing of the year and destination of the avanzo."""

from django.urls import path

from . import views_closing as v

urlpatterns = [
    path("piani/<int:pk>/chiusura/", v.ClosingView.as_view(), name="closing"),
    path("piani/<int:pk>/chiusura/avvia/", v.DestinationStartView.as_view(),
         name="closing_start"),
    path("piani/<int:pk>/chiusura/righe/nuova/", v.RowCreateView.as_view(),
         name="closing_row_add"),
    path("piani/<int:pk>/chiusura/collega/", v.DestinationLinkView.as_view(),
         name="closing_link"),
    path("piani/<int:pk>/chiusura/approva/", v.DestinationApproveView.as_view(),
         name="closing_approve"),
    path("piani/<int:pk>/chiusura/riapri/", v.DestinationReopenView.as_view(),
         name="closing_reopen"),
    path("piani/<int:pk>/chiusura/chiudi/", v.YearCloseView.as_view(), name="closing_close"),
    path("chiusura/righe/<int:pk>/", v.RowUpdateView.as_view(), name="closing_row_edit"),
    path("chiusura/righe/<int:pk>/elimina/", v.RowDeleteView.as_view(),
         name="closing_row_delete"),
]
