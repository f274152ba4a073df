"""Printed reports: Piano Operativo, Relazione Consuntivo and Piano di Zona as PDF.

``builders`` gathers each report's data (a fixed number of queries), ``charts``
draws its figures, ``rendering`` turns template + data into HTML and PDF,
``tasks`` runs that in Celery and keeps the file; ``views`` lets staff ask for it.
"""
