from django.urls import path

from . import entry_views as views

app_name = "entry"

urlpatterns = [
    path("accesso/", views.LoginView.as_view(), name="login"),
    path("uscita/", views.LogoutView.as_view(), name="logout"),
]
