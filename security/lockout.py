"""What a locked-out login sees (django-axes), and which address it is counted against."""

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render


def cooloff_minutes():
    return int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)


def lockout_message():
    return (
        "Troppi tentativi di accesso non riusciti: per sicurezza l'accesso con questo nome "
        f"utente da questo indirizzo è sospeso per {cooloff_minutes()} minuti. Riprova più "
        "tardi; se hai dimenticato la password, rivolgiti all'Ufficio di Piano."
    )


def lockout_response(request, original_response=None, credentials=None):
    seconds = int(settings.AXES_COOLOFF_TIME.total_seconds())
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": lockout_message(), "code": "login_locked_out", "retry_after": seconds},
            status=429,
        )
    else:
        response = render(
            request, "security/lockout.html",
            {"page_title": "Accesso sospeso", "message": lockout_message()}, status=429,
        )
    response["Retry-After"] = str(seconds)
    return response


def client_ip(request):
    """The client's address: REMOTE_ADDR, or the one our own reverse proxies recorded.

    Only the last ``TRUSTED_PROXY_COUNT`` hops of X-Forwarded-For are ours; anything to
    their left was written by the client and could be forged to dodge the lockout.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [h for h in hops if h]
        if len(hops) >= count:
            return hops[-count]
    return request.META.get("REMOTE_ADDR")
