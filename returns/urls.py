"""Staff pages of a plan: the debiti informativi and the classification of the spending."""

from django.urls import path

from . import views as v

app_name = "returns"

urlpatterns = [
    path("piani/<int:pk>/debiti-informativi/", v.ReturnsView.as_view(), name="returns"),
    path("piani/<int:pk>/debiti-informativi/<slug:key>.<str:fmt>", v.ReturnDownloadView.as_view(),
         name="download"),
    path("piani/<int:pk>/debiti-informativi/invia/", v.ReturnSendView.as_view(), name="send"),
    path("piani/<int:pk>/debiti-informativi/inviati/<int:sent>/", v.SentFileView.as_view(),
         name="sent_file"),
    path("piani/<int:pk>/classificazione/", v.ClassifyView.as_view(), name="classify"),
]
