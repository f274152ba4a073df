"""Sessions end after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and in any case
``SESSION_COOKIE_AGE`` seconds after the login: a PC left open in a town hall office
does not stay logged in.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login

LOGIN_AT = "pz_login_at"
SEEN_AT = "pz_seen_at"
# Saving the session on every request would be a write per page; a minute is precision enough.
SEEN_RESOLUTION = 60


def now():
    """Seconds since the epoch; tests move this clock instead of sleeping."""
    return time.time()


def stamp_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT] = request.session[SEEN_AT] = now()


def expired(session, at):
    login_at = session.get(LOGIN_AT)
    seen_at = session.get(SEEN_AT, login_at)
    if login_at is None:
        return None
    if at - login_at > settings.SESSION_COOKIE_AGE:
        return "La sessione è scaduta (durata massima raggiunta): accedi di nuovo."
    if at - seen_at > settings.SESSION_IDLE_TIMEOUT:
        return "La sessione è scaduta per inattività: accedi di nuovo."
    return None


class SessionExpiryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            session, at = request.session, now()
            reason = expired(session, at)
            if reason:
                logout(request)
                if request.path.startswith("/api/"):
                    # The API answers for an anonymous caller (401), not with a page.
                    return self.get_response(request)
                messages.warning(request, reason)
                return redirect_to_login(request.get_full_path(), "entry:login")
            if LOGIN_AT not in session:
                # A session older than this middleware starts its clock now.
                session[LOGIN_AT] = at
            if at - session.get(SEEN_AT, 0) >= SEEN_RESOLUTION:
                session[SEEN_AT] = at
        return self.get_response(request)
