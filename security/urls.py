from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("accesso/codice/", views.OtpVerifyView.as_view(), name="otp_verify"),
    path("sicurezza/due-fattori/", views.OtpEnrolView.as_view(), name="otp_enrol"),
]
