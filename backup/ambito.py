"""Export of one ambito's complete data as a self-describing zip, and its import elsewhere.

What belongs to the ambito is decided by each model's ``scope_ambito`` (the same lookup
that restricts what users see), over every model of the domain apps: a model added later
is exported without touching this module, or must be listed in ``EXCLUDED`` with a reason
(``tests/backup`` fails otherwise).

Rows keep their source ids in the JSON; on import every row gets a new id and every
reference is remapped, so the archive can go into an instance whose ids differ. User
accounts never leave the instance: links to them are dropped and the manifest says how many.
"""

import json
import time
import zipfile
from datetime import date, datetime
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path, PurePosixPath
from uuid import UUID

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import FileField
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from core import freeze

from .common import (
    BackupError,
    app_version,
    applied_migrations,
    check_format,
    sha256_bytes,
    source_instance,
)

ARCHIVE_FORMAT = "pianozona-ambito"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
README = "README.txt"
DOMAIN_APPS = ("governance", "objectives", "budget", "indicators", "reports")

# Models of the domain apps that are not exported as rows, and why.
EXCLUDED = {
    "governance.membership": (
        "ruoli degli utenti nell'ambito: gli account utente restano nell'installazione "
        "di origine"
    ),
    "reports.reportjob": (
        "richieste di report PDF: i PDF già pronti sono nella cartella reports/ dell'archivio"
    ),
}


def label_of(model):
    return model._meta.label_lower


def is_history(model):
    # django-simple-history's tables: the history stays with the instance that made it.
    return hasattr(model, "instance_type") and hasattr(model, "history_object")


def domain_models():
    found = []
    for app in DOMAIN_APPS:
        found.extend(m for m in apps.get_app_config(app).get_models() if not is_history(m))
    return found


def _depends_on(model, within, *, strict):
    targets = set()
    for field in model._meta.concrete_fields:
        target = field.related_model if field.is_relation else None
        if target in within and target is not model and (strict or not field.null):
            targets.add(target)
    return targets


def exported_models():
    """Scoped, non-excluded domain models, each after the models it refers to.

    A cycle (Ambito ↔ its ente capofila) is broken at a nullable reference, which the
    import fills in once both rows exist.
    """
    remaining = [
        m for m in domain_models()
        if label_of(m) not in EXCLUDED and getattr(m, "scope_ambito", None)
    ]
    ordered = []
    while remaining:
        pending = set(remaining)
        for strict in (True, False):
            ready = [m for m in remaining if not _depends_on(m, pending, strict=strict)]
            if ready:
                break
        else:
            names = ", ".join(label_of(m) for m in remaining)
            raise BackupError(f"Riferimenti obbligatori circolari tra {names}.")
        ordered.append(ready[0])
        remaining.remove(ready[0])
    return ordered


def coverage_problems():
    """Why some domain model would be missing from an archive (empty when all is covered)."""
    problems = []
    exported = set(exported_models())
    user_model = get_user_model()
    for model in domain_models():
        label = label_of(model)
        if label in EXCLUDED:
            continue
        if model not in exported:
            problems.append(f"{label}: non ha scope_ambito e non è in EXCLUDED")
            continue
        for field in model._meta.get_fields():
            if field.many_to_many and field.concrete:
                problems.append(f"{label}.{field.name}: relazioni molti-a-molti non gestite")
            elif field.concrete and field.is_relation:
                target = field.related_model
                if target is user_model and not field.null:
                    problems.append(f"{label}.{field.name}: utente obbligatorio")
                elif target is not user_model and target not in exported:
                    problems.append(f"{label}.{field.name}: rimanda a {label_of(target)}")
    return problems


# --- export -----------------------------------------------------------------------------------


def _json_value(value):
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date | dtime):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


def _field_description(field):
    return {
        "name": field.name,
        "label": str(field.verbose_name),
        "type": field.get_internal_type(),
        "null": field.null,
        "references": label_of(field.related_model) if field.is_relation else None,
    }


def _scoped_rows(model, ambito):
    return model._default_manager.filter(**{model.scope_ambito: ambito.pk}).order_by("pk")


README_TEXT = """\
ARCHIVIO DEI DATI DI UN AMBITO — {name} (codice «{code}»)

Esportato il {exported_at} dall'installazione «{instance}» (pianozona {version}).
Formato {format} versione {format_version}.

Contenuto
- manifest.json: descrizione dell'archivio: ambito, data, versione dell'applicazione,
  migrazioni del database di origine, numero di righe per tabella, impronta sha256 di
  ogni file (per verificare che nulla sia stato alterato).
- data/<app>.<modello>.json: una tabella per file. Per ogni tabella: il nome italiano,
  la descrizione delle colonne (nome, etichetta, tipo, tabella a cui rimanda) e le righe.
  Gli importi sono stringhe decimali con due cifre («1234.50»), le date in formato
  ISO (AAAA-MM-GG). Ogni riga conserva il proprio «id» dell'installazione di origine e i
  riferimenti usano quegli id: all'importazione ricevono id nuovi.
- files/: gli atti allegati alle deliberazioni, con il percorso indicato nella colonna
  «act» delle deliberazioni.
- reports/: i report PDF già generati per l'ambito (Piano Operativo, Relazione
  Consuntivo, Piano di Zona); reports/nuovi/ quelli generati al momento dell'esportazione,
  se richiesti.

Cosa non contiene
- Gli account degli utenti e i loro ruoli: i referenti conservano nome ed ente, ma il
  collegamento all'account utente è stato tolto ({dropped} collegamenti).
- La cronologia delle modifiche: nell'installazione che importa, ogni riga riporta
  «importato da archivio <nome del file>».
{excluded}
Per importarlo in un'altra installazione:
    python manage.py import_ambito <archivio.zip>
(rifiutato se l'ambito esiste già, salvo --replace).
"""


def _render_fresh_reports(ambito):
    """The three reports, rendered now: Piano Operativo of each year, Consuntivo of each
    closed year, Piano di Zona of each period. Failures are listed, not fatal."""
    from objectives.models import OperatingPlan, ZonePlan
    from reports import rendering
    from reports.builders import ReportError
    from reports.targets import KINDS

    operating_kind, final_kind, zone_kind = KINDS
    targets = []
    for plan in OperatingPlan.objects.filter(zone_plan__ambito=ambito).order_by("year"):
        targets.append((operating_kind, plan, str(plan.year)))
        if plan.state == OperatingPlan.State.CLOSED:
            targets.append((final_kind, plan, str(plan.year)))
    for plan in ZonePlan.objects.filter(ambito=ambito).order_by("start_year"):
        targets.append((zone_kind, plan, f"{plan.start_year}-{plan.end_year}"))
    made, failed = [], []
    for kind, target, year in targets:
        name = f"reports/nuovi/{kind}-{ambito.slug}-{year}.pdf"
        try:
            result = rendering.render(kind, target)
        except ReportError as error:
            failed.append({"report": name, "motivo": str(error)})
            continue
        made.append((name, result.pdf, {"kind": kind, "target": year, "pages": result.pages,
                                        "data_version": result.data_version}))
    return made, failed


def ambito_export(*, ambito, output, with_reports=False):
    """Write the zip archive of ``ambito`` to ``output``; return its manifest."""
    from reports.models import ReportJob

    started = time.monotonic()
    user_model = get_user_model()
    models = exported_models()
    files = {}  # archive path -> bytes
    counts, dropped, missing = {}, {}, []
    exported_ids = {}
    media = {}
    tables = {}
    for model in models:
        label = label_of(model)
        fields = list(model._meta.concrete_fields)
        rows = []
        for obj in _scoped_rows(model, ambito):
            row = {}
            for field in fields:
                value = field.value_from_object(obj)
                if field.is_relation and field.related_model is user_model:
                    if value is not None:
                        key = f"{label}.{field.name}"
                        dropped[key] = dropped.get(key, 0) + 1
                    value = None
                elif isinstance(field, FileField) and value:
                    media[value.name] = f"{label} {obj.pk}"
                row[field.name] = _json_value(value)
            rows.append(row)
        exported_ids[model] = {row[model._meta.pk.name] for row in rows}
        tables[label] = (model, fields, rows)
        counts[label] = len(rows)
    # Every reference must stay inside the archive, or the import could not resolve it.
    for label, (model, fields, rows) in tables.items():
        for field in fields:
            target = field.related_model if field.is_relation else None
            if target is None or target is user_model:
                continue
            for row in rows:
                value = row[field.name]
                if value is not None and value not in exported_ids[target]:
                    raise BackupError(
                        f"{model._meta.verbose_name} {row[model._meta.pk.name]} rimanda a "
                        f"{target._meta.verbose_name} {value}, che non appartiene all'ambito "
                        f"{ambito.slug}: esportazione interrotta."
                    )
        files[f"data/{label}.json"] = json.dumps(
            {
                "model": label,
                "name": str(model._meta.verbose_name),
                "name_plural": str(model._meta.verbose_name_plural),
                "fields": [_field_description(f) for f in fields],
                "rows": rows,
            },
            ensure_ascii=False,
            indent=1,
        ).encode()
    for name, owner in sorted(media.items()):
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as handle:
                files[f"files/{name}"] = handle.read()
        else:
            missing.append({"file": name, "riga": owner})
    reports = []
    ready = ReportJob.objects.filter(ambito=ambito, state=ReportJob.State.READY).exclude(file="")
    for job in ready.order_by("pk"):
        path = f"reports/{PurePosixPath(job.file.name).name}"
        if path in files or not default_storage.exists(job.file.name):
            continue
        with default_storage.open(job.file.name, "rb") as handle:
            files[path] = handle.read()
        reports.append({"file": path, "kind": job.kind, "variant": job.variant,
                        "target": str(job.target), "pages": job.pages,
                        "data_version": job.data_version,
                        "finished_at": _json_value(job.finished_at)})
    failed_reports = []
    if with_reports:
        made, failed_reports = _render_fresh_reports(ambito)
        for path, pdf, meta in made:
            files[path] = pdf
            reports.append({"file": path, **meta, "fresh": True})
    exported_at = timezone.localtime().isoformat(timespec="seconds")
    manifest = {
        "format": ARCHIVE_FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": app_version(),
        "source_instance": source_instance(),
        "ambito": ambito.slug,
        "ambito_name": ambito.name,
        "exported_at": exported_at,
        "migrations": applied_migrations(),
        "models": [label_of(m) for m in models],
        "counts": counts,
        "excluded": EXCLUDED,
        "dropped_user_links": dropped,
        "missing_files": missing,
        "reports": reports,
        "reports_not_rendered": failed_reports,
    }
    readme = README_TEXT.format(
        name=ambito.name, code=ambito.slug, exported_at=exported_at,
        instance=manifest["source_instance"], version=manifest["app_version"],
        format=ARCHIVE_FORMAT, format_version=FORMAT_VERSION,
        dropped=sum(dropped.values()),
        excluded="".join(f"- {label}: {why}.\n" for label, why in EXCLUDED.items()),
    )
    files[README] = readme.encode()
    manifest["files"] = {
        path: {"sha256": sha256_bytes(data), "size": len(data)}
        for path, data in sorted(files.items())
    }
    output = Path(output)
    if output.parent and not output.parent.exists():
        raise BackupError(f"La cartella {output.parent} non esiste.")
    partial = output.with_name(output.name + ".partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2))
        for path, data in sorted(files.items()):
            archive.writestr(path, data)
    partial.replace(output)
    manifest["path"] = str(output)
    manifest["size"] = output.stat().st_size
    manifest["seconds"] = time.monotonic() - started
    return manifest


# --- import -----------------------------------------------------------------------------------


def read_ambito_archive(path):
    """Open and check an ambito archive: (manifest, {path: bytes}) or a BackupError."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"Il file {path} non esiste.")
    try:
        with zipfile.ZipFile(path) as archive:
            contents = {info.filename: archive.read(info) for info in archive.infolist()
                        if not info.is_dir()}
    except (zipfile.BadZipFile, OSError, RuntimeError) as exc:
        raise BackupError(f"{path.name} non è un archivio zip leggibile: {exc}") from exc
    try:
        manifest = json.loads(contents.pop(MANIFEST))
    except (KeyError, ValueError) as exc:
        raise BackupError(f"{path.name}: manca manifest.json o non è JSON valido.") from exc
    check_format(manifest, name=path.name, archive_format=ARCHIVE_FORMAT,
                 format_version=FORMAT_VERSION,
                 not_ours=f"{path.name} non è un archivio dei dati di un ambito.")
    listed = manifest.get("files", {})
    unlisted = sorted(set(contents) - set(listed))
    if unlisted:
        raise BackupError(
            f"L'archivio contiene file non elencati nel manifest ({', '.join(unlisted[:3])}): "
            "potrebbe essere stato alterato. Nulla è stato importato."
        )
    for name, meta in listed.items():
        if name not in contents:
            raise BackupError(f"Nell'archivio manca {name}, elencato nel manifest.")
        if sha256_bytes(contents[name]) != meta["sha256"]:
            raise BackupError(
                f"L'archivio è danneggiato o alterato: l'impronta sha256 di {name} non "
                "corrisponde a quella del manifest. Nulla è stato importato."
            )
    return manifest, contents


def _load_tables(manifest, contents):
    """The archive's tables in this instance's models, checked against their fields."""
    by_label = {label_of(m): m for m in exported_models()}
    tables = {}
    for label in manifest["models"]:
        model = by_label.get(label)
        if model is None:
            raise BackupError(
                f"L'archivio contiene la tabella {label}, che questa installazione non "
                "esporta né importa: aggiornare l'applicazione."
            )
        data = json.loads(contents[f"data/{label}.json"])
        here = {f.name for f in model._meta.concrete_fields}
        unknown = sorted({f["name"] for f in data["fields"]} - here)
        if unknown:
            raise BackupError(
                f"La tabella {label} dell'archivio ha colonne che qui non esistono "
                f"({', '.join(unknown)}): l'archivio viene da una versione più recente."
            )
        tables[model] = data["rows"]
    return tables


def _delete_ambito(ambito):
    """Remove every exported row of ``ambito``, children first (history keeps the deletions)."""
    for model in reversed(exported_models()):
        _scoped_rows(model, ambito).delete()


def ambito_import(*, archive, replace=False, user=None):
    """Import an ambito archive in one transaction; return what was written."""
    from governance.models import Ambito, Membership

    started = time.monotonic()
    manifest, contents = read_ambito_archive(archive)
    tables = _load_tables(manifest, contents)
    reason = f"importato da archivio {Path(archive).name}"
    user_model = get_user_model()
    saved_files = []
    try:
        # An archive restores plans in every state as they were (freeze rule: LOADING).
        with transaction.atomic(), freeze.allow(freeze.LOADING):
            code = manifest["ambito"]
            existing = Ambito.objects.filter(slug=code).first()
            roles = []
            if existing is not None:
                if not replace:
                    raise BackupError(
                        f"L'ambito «{code}» esiste già in questa installazione: nulla è stato "
                        "importato. Per sostituirne tutti i dati con quelli dell'archivio "
                        "usare --replace."
                    )
                roles = list(Membership.objects.filter(ambito=existing)
                             .values_list("user_id", "role"))
                _delete_ambito(existing)
            ids = {}
            deferred = []
            counts = {}
            for model in exported_models():
                if model not in tables:
                    continue
                pk_name = model._meta.pk.name
                objs, sources = [], []
                for row in tables[model]:
                    values = {}
                    for field in model._meta.concrete_fields:
                        if field.primary_key or field.name not in row:
                            continue
                        value = row[field.name]
                        if field.is_relation:
                            target = field.related_model
                            if value is None or target is user_model:
                                values[field.attname] = None
                            elif value in ids.get(target, {}):
                                values[field.attname] = ids[target][value]
                            elif target in tables and target not in ids and field.null:
                                values[field.attname] = None
                                deferred.append((model, row[pk_name], field, value))
                            else:
                                raise BackupError(
                                    f"{model._meta.verbose_name} {row[pk_name]}: il riferimento "
                                    f"a {target._meta.verbose_name} {value} non è nell'archivio."
                                )
                        else:
                            values[field.attname] = field.to_python(value)
                    objs.append(model(**values))
                    sources.append(row[pk_name])
                created = bulk_create_with_history(
                    objs, model, batch_size=500, default_user=user, default_change_reason=reason
                )
                ids[model] = {src: obj.pk for src, obj in zip(sources, created, strict=True)}
                counts[label_of(model)] = len(created)
            for model, source_pk, field, value in deferred:
                obj = model._default_manager.get(pk=ids[model][source_pk])
                setattr(obj, field.attname, ids[field.related_model][value])
                obj._change_reason = reason
                obj.save(update_fields=[field.attname])
            saved_files = _store_files(tables, ids, contents, reason)
            ambito = Ambito.objects.get(slug=code)
            for user_id, role in roles:
                membership = Membership(user_id=user_id, ambito=ambito, role=role)
                membership._change_reason = reason
                membership.save()
            if counts != manifest["counts"]:
                raise BackupError(
                    "Il numero di righe importate non corrisponde al manifest: nulla è stato "
                    "importato."
                )
    except IntegrityError as exc:
        _remove(saved_files)
        detail = " ".join(str(exc).split())
        raise BackupError(
            f"L'archivio è in conflitto con i dati di questa installazione ({detail}). "
            "Nulla è stato importato."
        ) from exc
    except BaseException:
        _remove(saved_files)
        raise
    return {
        "ambito": code,
        "counts": counts,
        "rows": sum(counts.values()),
        "files": len(saved_files),
        "replaced": existing is not None,
        "roles_kept": len(roles),
        "dropped_user_links": manifest.get("dropped_user_links", {}),
        "seconds": time.monotonic() - started,
    }


def _store_files(tables, ids, contents, reason):
    """Write the attached files and point the imported rows at the names they got."""
    saved = []
    for model, rows in tables.items():
        file_fields = [f for f in model._meta.concrete_fields if isinstance(f, FileField)]
        for field in file_fields:
            for row in rows:
                name = row.get(field.name)
                if not name or f"files/{name}" not in contents:
                    continue
                stored = default_storage.save(name, ContentFile(contents[f"files/{name}"]))
                saved.append(stored)
                if stored != name:
                    obj = model._default_manager.get(pk=ids[model][row[model._meta.pk.name]])
                    setattr(obj, field.attname, stored)
                    obj._change_reason = reason
                    obj.save(update_fields=[field.attname])
    return saved


def _remove(names):
    for name in names:
        default_storage.delete(name)
