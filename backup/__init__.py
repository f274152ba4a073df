"""Backups of the whole instance and archives of one ambito.

- ``database``: ``backup_create`` / ``backup_restore`` — the database (pg_dump custom format
  on PostgreSQL, the SQLite backup API otherwise) and MEDIA_ROOT in one timestamped archive.
- ``ambito``: ``ambito_export`` / ``ambito_import`` — every row of one ambito as
  self-describing JSON (plus its PDFs and attached acts) that another instance can import.
"""
