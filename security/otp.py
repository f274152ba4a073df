"""The second factor (TOTP, django-otp): who must give a code, and where they are sent.

Logging in with a password alone never opens a session for a user with a confirmed
device (security/views.py); this middleware covers the other ways a session
can exist without a code — opened before the device was confirmed, or through a login
form that has no second step — and the superusers that must enrol.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import user_has_device

# Where an unverified user may still go: the two steps themselves, leaving, static files.
OPEN_URL_NAMES = ("security:otp_verify", "security:otp_enrol", "entry:logout", "entry:login",
                  "admin:logout", "healthz", "privacy")


def _open_paths():
    return {reverse(name) for name in OPEN_URL_NAMES}


def must_enrol(user):
    return (
        user.is_superuser
        and settings.PIANOZONA_OTP_REQUIRED_FOR_SUPERUSERS
        and not user_has_device(user, confirmed=True)
    )


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if (user.is_authenticated and not user.is_verified()
                and not request.path.startswith(settings.STATIC_URL)
                and request.path not in _open_paths()):
            if user_has_device(user, confirmed=True):
                return self.refuse(request, "security:otp_verify",
                                   "Completa l'accesso con il codice dell'app di autenticazione.")
            if must_enrol(user):
                return self.refuse(request, "security:otp_enrol",
                                   "Attiva la verifica in due passaggi prima di continuare.")
        return self.get_response(request)

    @staticmethod
    def refuse(request, url_name, message):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message, "code": "second_factor_required"}, status=403)
        if url_name == "security:otp_enrol":
            return redirect(url_name)
        return redirect_to_login(request.get_full_path(), url_name)
