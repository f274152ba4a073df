from django.db import models


class Role(models.TextChoices):
    """What a user may do inside one Ambito (a user may hold several)."""

    STAFF = "ufficio_piano", "Ufficio di Piano"
    REFERENT = "referente", "Referente di obiettivo"
    ASSEMBLY = "assemblea", "Assemblea dei Sindaci"
    AUDITOR = "revisore", "Revisore / auditor"


# Actions checked by RestrictedQuerySet.restrict().
VIEW, ADD, CHANGE, DELETE = "view", "add", "change", "delete"
WRITE_ACTIONS = frozenset({ADD, CHANGE, DELETE})
