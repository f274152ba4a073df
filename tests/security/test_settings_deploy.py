"""Production settings: what the environment switches, and what it cannot switch off."""

import json
import secrets

from tests.test_settings import _run

PROD = {"DJANGO_SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "pianozona.example"}
PROBE = (
    "import json, django; django.setup(); from django.conf import settings as s; "
    "from django.urls import reverse; "
    "print(json.dumps({'session': s.SESSION_COOKIE_NAME, 'csrf': s.CSRF_COOKIE_NAME, "
    "'secure': [s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE], "
    "'domain': [s.SESSION_COOKIE_DOMAIN, s.CSRF_COOKIE_DOMAIN], "
    "'path': [s.SESSION_COOKIE_PATH, s.CSRF_COOKIE_PATH], 'httponly': s.SESSION_COOKIE_HTTPONLY, "
    "'idle': s.SESSION_IDLE_TIMEOUT, 'age': s.SESSION_COOKIE_AGE, 'upload': s.UPLOAD_MAX_BYTES, "
    "'limit': s.AXES_FAILURE_LIMIT, 'cooloff': s.AXES_COOLOFF_TIME.total_seconds(), "
    "'lock': s.AXES_LOCKOUT_PARAMETERS, 'handler': s.AXES_HANDLER, "
    "'otp': s.PIANOZONA_OTP_REQUIRED_FOR_SUPERUSERS, 'admin': reverse('admin:index'), "
    "'csp': s.CONTENT_SECURITY_POLICY['DIRECTIVES'], 'hsts': s.SECURE_HSTS_SECONDS, "
    "'ssl': s.SECURE_SSL_REDIRECT, 'backends': s.AUTHENTICATION_BACKENDS, "
    "'middleware': s.MIDDLEWARE}))"
)


def probe(**env):
    result = _run({**PROD, **env}, code=PROBE)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_check_deploy_reports_no_issue_at_all():
    result = _run(PROD, args=["manage.py", "check", "--deploy", "--fail-level", "DEBUG"])
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip().endswith("System check identified no issues (0 silenced).")


def test_production_defaults_are_the_secure_ones():
    s = probe()
    assert (s["session"], s["csrf"]) == ("__Host-sessionid", "__Host-csrftoken")
    assert s["secure"] == [True, True] and s["domain"] == [None, None]
    assert s["path"] == ["/", "/"] and s["httponly"] is True
    assert (s["idle"], s["age"]) == (30 * 60, 8 * 60 * 60)
    assert s["upload"] == 10 * 1024 * 1024
    assert (s["limit"], s["cooloff"]) == (5, 15 * 60)
    assert s["lock"] == [["username", "ip_address"]]
    assert s["handler"] == "axes.handlers.database.AxesDatabaseHandler"
    assert s["backends"][0] == "axes.backends.AxesStandaloneBackend"
    assert s["middleware"][-1] == "axes.middleware.AxesMiddleware"
    assert s["otp"] is False
    assert s["admin"] == "/admin/"
    assert s["hsts"] == 31536000 and s["ssl"] is True
    csp = s["csp"]
    assert "'unsafe-inline'" not in json.dumps(csp) and "'unsafe-eval'" not in json.dumps(csp)
    assert csp["frame-ancestors"] == ["'none'"] and csp["script-src"] == ["'self'"]


def test_the_environment_tunes_the_limits():
    s = probe(
        DJANGO_SESSION_IDLE_TIMEOUT="600", DJANGO_SESSION_COOKIE_AGE="3600",
        DJANGO_UPLOAD_MAX_MB="2", DJANGO_LOGIN_FAILURE_LIMIT="3",
        DJANGO_LOGIN_COOLOFF_MINUTES="60", PIANOZONA_OTP_REQUIRED_FOR_SUPERUSERS="1",
        DJANGO_ADMIN_URL="gestione-7f3a/",
    )
    assert (s["idle"], s["age"], s["upload"]) == (600, 3600, 2 * 1024 * 1024)
    assert (s["limit"], s["cooloff"], s["otp"]) == (3, 3600, True)
    assert s["admin"] == "/gestione-7f3a/"


def test_a_moved_admin_is_not_at_admin_any_more():
    code = (
        "import django; django.setup(); from django.urls import resolve, Resolver404\n"
        "def where(path):\n"
        "    try:\n"
        "        match = resolve(path)\n"
        "    except Resolver404:\n"
        "        return '-'\n"
        "    return match.namespace + ':' + (match.url_name or match.func.__name__)\n"
        "print(where('/admin/'), where('/gestione-7f3a/'), where('/gestione-7f3a/login/'))"
    )
    result = _run({**PROD, "DJANGO_ADMIN_URL": "gestione-7f3a/"}, code=code)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-3:] == ["-", "admin:index", ":admin_login"], result.stdout
