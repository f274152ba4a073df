"""What both kinds of archive share: checksums, the app version, the migration state."""

import hashlib
import os
import socket
from importlib import metadata

from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder


class BackupError(Exception):
    """A backup, restore, export or import that cannot go on: the message is for the user."""


def sha256_file(path, *, chunk=1024 * 1024):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def sha256_bytes(data):
    return hashlib.sha256(data).hexdigest()


def app_version():
    try:
        return metadata.version("pianozona")
    except metadata.PackageNotFoundError:  # running from a checkout that was never installed
        return "sconosciuta"


def source_instance():
    """A name for this installation, so an archive says where it comes from."""
    return (
        getattr(settings, "PIANOZONA_INSTANCE", "")
        or os.environ.get("PIANOZONA_INSTANCE", "")
        or socket.gethostname()
    )


def applied_migrations(conn=connection):
    """``["app.0001_initial", …]`` as recorded in the database (empty if never migrated)."""
    recorder = MigrationRecorder(conn)
    if not recorder.has_table():
        return []
    return sorted(f"{app}.{name}" for app, name in recorder.applied_migrations())


def known_migrations():
    """Every migration the code on disk knows about."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    return {f"{app}.{name}" for app, name in loader.disk_migrations}


def check_migrations(archived):
    """Refuse an archive written by code with migrations this code does not have."""
    unknown = sorted(set(archived) - known_migrations())
    if unknown:
        shown = ", ".join(unknown[:5]) + (" …" if len(unknown) > 5 else "")
        raise BackupError(
            "L'archivio è stato creato da una versione più recente dell'applicazione: "
            f"migrazioni sconosciute a questa installazione ({shown}). "
            "Aggiornare l'applicazione prima di ripristinare o importare."
        )


def check_format(manifest, *, name, archive_format, format_version, not_ours):
    """Refuse an archive of another kind, or written by a newer version of the format."""
    if manifest.get("format") != archive_format:
        raise BackupError(not_ours)
    if manifest.get("format_version", 0) > format_version:
        raise BackupError(
            f"{name} ha un formato più recente ({manifest['format_version']}) di quello "
            "che questa versione sa leggere: aggiornare l'applicazione."
        )
