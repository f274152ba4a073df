"""Issue 18: with the embedded default (SQLite), 3 of 4 simultaneous logins answered 503
"database is locked". The app now opens SQLite in WAL mode, with a busy timeout and
transactions that take the write lock when they begin (pianozona/settings.py): this test
makes several people log in at the same instant against a server on a SQLite file and
asserts that every one of them gets in.
"""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.urls import reverse

from tests.backup.support import _MIGRATED

ROOT = Path(__file__).resolve().parents[2]
USERS = 5


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_file(path):
    """A SQLite file with the app's schema: a copy of the freshly migrated test database
    kept by django_db_setup (tests/backup/support.py) when the suite runs on SQLite,
    otherwise migrated from scratch."""
    template = _MIGRATED.get("sqlite")
    if template:
        shutil.copyfile(template, path)
        return
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], cwd=ROOT,
                   env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"}, check=True,
                   timeout=600)


def wait_for_port(port, seconds=30):
    """The server listens a moment after it printed "ready"."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def cookies_of(response):
    jar = {}
    for header, value in response.getheaders():
        if header.lower() == "set-cookie":
            name, _, rest = value.partition("=")
            jar[name] = rest.split(";")[0]
    return jar


class Visitor(threading.Thread):
    """One person: opens the login page, waits for the others, then logs in."""

    def __init__(self, port, username, barrier):
        super().__init__(daemon=True)
        self.port, self.username, self.barrier = port, username, barrier
        self.status = None
        self.body = ""

    def run(self):
        login = reverse("entry:login")
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        conn.request("GET", login)
        page = conn.getresponse()
        html = page.read().decode()
        jar = cookies_of(page)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)
        body = (f"csrfmiddlewaretoken={token}&username={self.username}"
                "&password=una-password-di-prova")
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": "; ".join(f"{k}={v}" for k, v in jar.items()),
            "Referer": f"http://127.0.0.1:{self.port}{login}",
        }
        self.barrier.wait(timeout=60)
        conn.request("POST", login, body=body, headers=headers)
        answer = conn.getresponse()
        self.status = answer.status
        self.body = answer.read().decode("utf-8", "replace")
        conn.close()


def test_simultaneous_logins_on_a_sqlite_file_all_get_in(tmp_path, db):
    path = tmp_path / "pianozona.sqlite3"
    database_file(path)
    port = free_port()
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{path}",
           "DJANGO_SETTINGS_MODULE": "pianozona.settings_test"}
    server = subprocess.Popen(
        [sys.executable, "-m", "tests.faults.sqlite_server", str(port), str(USERS)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )
    try:
        lines = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = server.stdout.readline()
            if not line:
                break
            lines.append(line.strip())
            if line.strip() == "ready":
                break
        assert "ready" in lines, "\n".join(lines)
        # The file database the server opened is in WAL mode (readers beside a writer).
        assert "journal_mode wal" in lines
        wait_for_port(port)
        barrier = threading.Barrier(USERS)
        visitors = [Visitor(port, f"contemporaneo{n}", barrier) for n in range(USERS)]
        started = time.monotonic()
        for visitor in visitors:
            visitor.start()
        for visitor in visitors:
            visitor.join(timeout=120)
        elapsed = time.monotonic() - started
        statuses = [v.status for v in visitors]
        assert 503 not in statuses, [v.body[:300] for v in visitors if v.status == 503]
        # Each one logged in: the login page redirects to the plans.
        assert statuses == [302] * USERS, statuses
        assert elapsed < 60
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3" or (
        settings.PRODUCTION_DATABASE_OPTIONS["transaction_mode"] == "IMMEDIATE"
    )
