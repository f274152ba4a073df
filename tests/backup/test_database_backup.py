"""Backup of the whole instance (database + MEDIA_ROOT) restored into a fresh database."""

import io
import json
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from backup.database import table_counts

from .support import Instance, fresh_database, ok, require_postgresql_under_ci

pytestmark = pytest.mark.django_db

ACT = "acts/2018/delibera-assemblea-prova.pdf"
ACT_BYTES = b"%PDF-1.4\n% atto di prova per il backup \xe0\xe8\n%%EOF\n"


@pytest.fixture
def media_file():
    path = Path(settings.MEDIA_ROOT) / ACT
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(ACT_BYTES)
    yield path
    path.unlink()


@pytest.fixture
def backup(tmp_path, media_file):
    call_command("backup", "--output", str(tmp_path / "copie"), stdout=(out := io.StringIO()))
    archives = list((tmp_path / "copie").glob("pianozona-backup-*.tar"))
    assert len(archives) == 1, out.getvalue()
    return archives[0]


def _manifest(archive):
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile("manifest.json"))


def test_runs_on_postgresql_under_ci():
    require_postgresql_under_ci()


def test_backup_holds_database_files_and_manifest(backup):
    with tarfile.open(backup) as tar:
        names = set(tar.getnames())
        with tarfile.open(fileobj=tar.extractfile("media.tar.gz")) as media:
            assert media.extractfile(ACT).read() == ACT_BYTES
    manifest = _manifest(backup)
    database = "database.dump" if manifest["engine"] == "postgresql" else "database.sqlite3"
    assert names == {"manifest.json", database, "media.tar.gz"}
    assert set(manifest["parts"]) == {database, "media.tar.gz"}
    assert manifest["tables"]["budget_budgetline"] == table_counts()["budget_budgetline"] > 0
    assert "budget.0001_initial" in manifest["migrations"]
    assert manifest["media"]["files"] >= 1


def test_restore_into_a_fresh_database_gives_the_same_rows_and_files(backup, tmp_path):
    manifest = _manifest(backup)
    source_counts = table_counts()
    with fresh_database("restore") as url:
        target = Instance(url, tmp_path / "altra")
        restored = ok(target.manage("restore", str(backup)))
        assert "identiche al manifest" in restored
        counts = target.table_counts()
        assert counts == manifest["tables"] == source_counts
        assert (target.media_root / ACT).read_bytes() == ACT_BYTES

        # A second restore over the data now there is refused unless forced.
        refused = target.manage("restore", str(backup))
        assert refused.returncode != 0
        assert "Il database di destinazione non è vuoto" in refused.stderr
        assert "--force" in refused.stderr
        assert target.table_counts() == counts

        (target.media_root / ACT).write_bytes(b"modificato dopo il ripristino")
        ok(target.manage("restore", str(backup), "--force"))
        assert target.table_counts() == counts
        assert (target.media_root / ACT).read_bytes() == ACT_BYTES
        # The restored database is a working one: the app's own checks pass on it.
        ok(target.manage("migrate", "--check"))


def test_damaged_backup_is_refused_and_nothing_is_touched(backup, tmp_path):
    damaged = tmp_path / "danneggiato.tar"
    with tarfile.open(backup) as original, tarfile.open(damaged, "w") as copy:
        for member in original.getmembers():
            data = original.extractfile(member).read()
            if member.name.startswith("database."):
                # Every one of the last 10 bytes changed: overwriting them with zeros changed
                # nothing when the file happened to end with zeros (an SQLite overflow page).
                data = data[:-10] + bytes(byte ^ 0xFF for byte in data[-10:])
            member.size = len(data)
            copy.addfile(member, io.BytesIO(data))
    with fresh_database("damaged") as url:
        target = Instance(url, tmp_path / "altra")
        refused = target.manage("restore", str(damaged))
        assert refused.returncode != 0
        assert "L'archivio è danneggiato" in refused.stderr
        assert target.table_counts() == {}
        assert not any(target.media_root.iterdir())
