"""Backup and restore of the whole instance: the database and the stored files (MEDIA_ROOT).

One archive per backup, ``pianozona-backup-<AAAAMMGG-HHMMSS>.tar``, holding:

- ``database.dump`` (PostgreSQL, ``pg_dump --format=custom``) or ``database.sqlite3``
  (SQLite, a copy made with the online backup API);
- ``media.tar.gz``: every file under MEDIA_ROOT (attached acts, rendered reports, imports);
- ``manifest.json``: app version, engine, applied migrations, rows per table and the
  sha256 of each part.

On PostgreSQL the row counts and the dump read the same exported snapshot, so the manifest
describes exactly what was dumped even while users keep writing.
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .common import (
    BackupError,
    app_version,
    applied_migrations,
    check_format,
    check_migrations,
    known_migrations,
    sha256_file,
    source_instance,
)

ARCHIVE_FORMAT = "pianozona-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DB_POSTGRESQL = "database.dump"
DB_SQLITE = "database.sqlite3"
MEDIA = "media.tar.gz"
PARTS = {DB_POSTGRESQL, DB_SQLITE, MEDIA, MANIFEST}

# Rows a freshly migrated database writes by itself: they do not make it "non-empty".
HOUSEKEEPING_TABLES = frozenset(
    {"django_migrations", "django_content_type", "auth_permission", "django_session"}
)


def _quote(name):
    return connection.ops.quote_name(name)


# --- PostgreSQL -------------------------------------------------------------------------


def _pg_env():
    """libpq environment for pg_dump/pg_restore/psql from Django's own settings."""
    params = connection.settings_dict
    env = {**os.environ}
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"),
                     ("PASSWORD", "PGPASSWORD"), ("NAME", "PGDATABASE")):
        if params.get(key):
            env[var] = str(params[key])
    sslmode = (params.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return env


def _pg_tool(name):
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"Il programma {name} non è installato: serve il client PostgreSQL della stessa "
            "versione del server (su Debian: apt-get install postgresql-client-15)."
        )
    return path


def _pg_tables(cursor):
    cursor.execute(
        "SELECT tablename FROM pg_catalog.pg_tables WHERE schemaname = current_schema() "
        "ORDER BY tablename"
    )
    return [row[0] for row in cursor.fetchall()]


def _counts(cursor, tables):
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")  # noqa: S608 - introspected name
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_postgresql(target):
    pg_dump = _pg_tool("pg_dump")
    # An independent session: a repeatable-read snapshot shared with pg_dump, so the
    # counts in the manifest are those of the dump.
    raw = connection.get_new_connection(connection.get_connection_params())
    try:
        raw.autocommit = True
        with raw.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_catalog.pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _counts(cursor, _pg_tables(cursor))
            result = subprocess.run(  # noqa: S603 - fixed program, no shell
                [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
                 f"--snapshot={snapshot}", f"--file={target}"],
                env=_pg_env(), capture_output=True, text=True, check=False,
            )
            cursor.execute("COMMIT")
    finally:
        raw.close()
    if result.returncode != 0:
        raise BackupError(f"pg_dump non è riuscito: {result.stderr.strip()[-500:]}")
    return counts


def _restore_postgresql(dump):
    pg_restore, psql = _pg_tool("pg_restore"), _pg_tool("psql")
    with connection.cursor() as cursor:
        tables = _pg_tables(cursor)
    # Dropping what is there and loading the dump run in one psql transaction:
    # if anything fails, the database stays exactly as it was.
    drop = ""
    if tables:
        drop = "DROP TABLE IF EXISTS " + ", ".join(_quote(t) for t in tables) + " CASCADE;\n"
    connection.close()  # our own session must hold no lock on the tables being dropped
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as handle:
        handle.write(drop)
    env = _pg_env()
    try:
        producer = subprocess.Popen(  # noqa: S603
            [pg_restore, "--no-owner", "--no-privileges", "--file=-", str(dump)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        )
        consumer = subprocess.run(  # noqa: S603
            [psql, "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction",
             "-f", handle.name, "-f", "-"],
            stdin=producer.stdout, capture_output=True, text=True, env=env, check=False,
        )
        producer.stdout.close()
        producer_err = producer.stderr.read().decode(errors="replace")
        producer.wait()
    finally:
        os.unlink(handle.name)
    if producer.returncode != 0 or consumer.returncode != 0:
        detail = (producer_err + consumer.stderr).strip()[-800:]
        raise BackupError(
            f"Ripristino del database non riuscito; il database è rimasto com'era. {detail}"
        )


# --- SQLite -------------------------------------------------------------------------------


def _sqlite_tables(cursor):
    cursor.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [row[0] for row in cursor.fetchall()]


def _dump_sqlite(target):
    connection.ensure_connection()
    with connection.cursor() as cursor:
        counts = _counts(cursor, _sqlite_tables(cursor))
    copy = sqlite3.connect(target)
    try:
        # The online backup API copies a consistent image even while the app writes.
        connection.connection.backup(copy)
    finally:
        copy.close()
    return counts


def _restore_sqlite(path):
    connection.ensure_connection()
    source = sqlite3.connect(path)
    try:
        source.backup(connection.connection)
    finally:
        source.close()
    connection.close()


# --- shared -------------------------------------------------------------------------------


def table_counts():
    """Rows per table of the current database (tables that do not exist are left out)."""
    with connection.cursor() as cursor:
        tables = _pg_tables(cursor) if connection.vendor == "postgresql" else _sqlite_tables(
            cursor
        )
        return _counts(cursor, tables)


def _media_root():
    return Path(settings.MEDIA_ROOT)


def _media_files():
    root = _media_root()
    if not root.is_dir():
        return []
    return sorted(p for p in root.rglob("*") if p.is_file())


def _write_media(target):
    root = _media_root()
    files = _media_files()
    with tarfile.open(target, "w:gz") as tar:
        for path in files:
            tar.add(path, arcname=path.relative_to(root).as_posix(), recursive=False)
    return len(files), sum(p.stat().st_size for p in files)


def _restore_media(archive):
    root = _media_root()
    root.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".ripristino-", dir=root.parent))
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(staging, filter="data")
        # MEDIA_ROOT may be a mount point (docker volume): replace its content, not itself.
        for entry in root.iterdir():
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
        for entry in staging.iterdir():
            shutil.move(str(entry), root / entry.name)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _engine():
    if connection.vendor not in ("postgresql", "sqlite"):
        raise BackupError(f"Database {connection.vendor} non supportato dal backup.")
    return connection.vendor


def backup_create(*, output_dir):
    """Write one archive of the database and MEDIA_ROOT into ``output_dir``; return its path."""
    engine = _engine()
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    now = timezone.localtime()
    name = f"pianozona-backup-{now:%Y%m%d-%H%M%S}.tar"
    final = output / name
    if final.exists():
        raise BackupError(f"Esiste già {final}: attendere un secondo e riprovare.")
    with tempfile.TemporaryDirectory(prefix=".backup-", dir=output) as tmp:
        work = Path(tmp)
        db_part = DB_POSTGRESQL if engine == "postgresql" else DB_SQLITE
        counts = (_dump_postgresql if engine == "postgresql" else _dump_sqlite)(work / db_part)
        media_count, media_bytes = _write_media(work / MEDIA)
        parts = {
            part: {"sha256": sha256_file(work / part), "size": (work / part).stat().st_size}
            for part in (db_part, MEDIA)
        }
        manifest = {
            "format": ARCHIVE_FORMAT,
            "format_version": FORMAT_VERSION,
            "app_version": app_version(),
            "source_instance": source_instance(),
            "created_at": now.isoformat(),
            "engine": engine,
            "database": connection.settings_dict.get("NAME") and str(
                connection.settings_dict["NAME"]
            ),
            "migrations": applied_migrations(),
            "tables": counts,
            "rows": sum(counts.values()),
            "media": {"files": media_count, "bytes": media_bytes},
            "parts": parts,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False))
        partial = output / (name + ".partial")
        with tarfile.open(partial, "w") as tar:
            for part in (MANIFEST, db_part, MEDIA):
                tar.add(work / part, arcname=part)
        # Renamed only when complete: a file named *.tar is never a half-written backup.
        partial.rename(final)
    manifest["path"] = str(final)
    manifest["size"] = final.stat().st_size
    manifest["seconds"] = time.monotonic() - started
    return manifest


def read_backup(archive, into):
    """Extract ``archive`` into the folder ``into`` and check it; return its manifest."""
    path = Path(archive)
    if not path.is_file():
        raise BackupError(f"Il file {archive} non esiste.")
    try:
        with tarfile.open(path, "r:") as tar:
            members = tar.getmembers()
            names = {m.name for m in members}
            if MANIFEST not in names or not names <= PARTS or not all(m.isfile() for m in members):
                raise BackupError(f"{path.name} non è un archivio di backup di pianozona.")
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise BackupError(f"{path.name} non è un archivio leggibile: {exc}") from exc
    into = Path(into)
    try:
        manifest = json.loads((into / MANIFEST).read_text())
    except ValueError as exc:
        raise BackupError(f"Il manifest di {path.name} non è JSON valido: {exc}") from exc
    check_format(manifest, name=path.name, archive_format=ARCHIVE_FORMAT,
                 format_version=FORMAT_VERSION,
                 not_ours=f"{path.name} non è un archivio di backup di pianozona.")
    for part, meta in manifest.get("parts", {}).items():
        file = into / part
        if not file.is_file():
            raise BackupError(f"Nell'archivio manca {part}, elencato nel manifest.")
        if sha256_file(file) != meta["sha256"]:
            raise BackupError(
                f"L'archivio è danneggiato: l'impronta sha256 di {part} non corrisponde a "
                "quella del manifest. Usare un'altra copia del backup."
            )
    return manifest


def _existing_data():
    """Tables of the current database holding user data, with their row counts."""
    try:
        counts = table_counts()
    finally:
        if connection.vendor == "postgresql":
            connection.close()
    return {t: n for t, n in counts.items() if n and t not in HOUSEKEEPING_TABLES}


def backup_restore(*, archive, force=False):
    """Restore the database and MEDIA_ROOT from ``archive``; refuse to overwrite data unless
    ``force``. Return a summary (manifest, counts found after the restore, timings)."""
    engine = _engine()
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="pianozona-restore-") as tmp:
        manifest = read_backup(archive, tmp)
        if manifest["engine"] != engine:
            raise BackupError(
                f"L'archivio contiene un database {manifest['engine']}, questa installazione "
                f"usa {engine}: il ripristino non è possibile."
            )
        check_migrations(manifest["migrations"])
        if not force:
            data = _existing_data()
            media = _media_files()
            if data or media:
                found = []
                if data:
                    sample = ", ".join(sorted(data)[:3])
                    found.append(f"{sum(data.values())} righe in {len(data)} tabelle ({sample}…)")
                if media:
                    found.append(f"{len(media)} file in {_media_root()}")
                raise BackupError(
                    "Il database di destinazione non è vuoto: contiene " + " e ".join(found)
                    + ". Il ripristino li sostituirebbe tutti: ripetere con --force per "
                    "sovrascriverli. Nulla è stato modificato."
                )
        work = Path(tmp)
        if engine == "postgresql":
            _restore_postgresql(work / DB_POSTGRESQL)
        else:
            _restore_sqlite(work / DB_SQLITE)
        _restore_media(work / MEDIA)
    counts = table_counts()
    different = {
        t: (n, counts.get(t)) for t, n in manifest["tables"].items() if counts.get(t) != n
    }
    if different:
        shown = ", ".join(f"{t}: attese {a}, trovate {b}" for t, (a, b) in
                          sorted(different.items())[:5])
        raise BackupError(f"Il ripristino non corrisponde al manifest: {shown}.")
    return {
        "manifest": manifest,
        "tables": counts,
        "rows": sum(counts.values()),
        "media_files": len(_media_files()),
        "pending_migrations": sorted(known_migrations() - set(manifest["migrations"])),
        "seconds": time.monotonic() - started,
    }
