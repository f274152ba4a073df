"""A threaded server of the app on a SQLite *file* (the embedded default), for the test of
simultaneous logins: ``python -m tests.faults.sqlite_server <port> <users>``.

DATABASE_URL names the file (a copy of the test database, or one just migrated). The
users get the real password hasher, so each login takes the time it takes in production
and the requests overlap as they did when "database is locked" answered 503.
"""

import os
import sys


def main(port, users):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pianozona.settings_test")
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.PBKDF2PasswordHasher"]
    # The server runs with production's SQLite options (the suite's are DEFERRED).
    settings.DATABASES["default"]["OPTIONS"] = dict(settings.PRODUCTION_DATABASE_OPTIONS)
    if os.environ.get("PZ_SQLITE_AS_BEFORE") == "1":  # to see the failure by hand
        settings.DATABASES["default"]["OPTIONS"] = {}
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.servers.basehttp import run
    from django.core.wsgi import get_wsgi_application

    model = get_user_model()
    for number in range(users):
        user, _ = model.objects.get_or_create(username=f"contemporaneo{number}")
        user.set_password("una-password-di-prova")
        user.save()
    from django.db import connection

    print("journal_mode", connection.cursor().execute("PRAGMA journal_mode").fetchone()[0],
          flush=True)
    print("ready", flush=True)
    run("127.0.0.1", port, get_wsgi_application(), threading=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), int(sys.argv[2]))
