"""The national FNPS template's layout note, printed in the file sent to the Region and the
Ministry, no longer tells the reader how to configure the template ("channels": ["FNPS"]):
that belongs in the admin's help. Changed only where the note is still the one first loaded,
so that a superuser's own wording stays."""

from django.db import migrations

OLD = 'Spesa per area FNPS (minori e famiglie, azioni di sistema, altri interventi) con la spesa per le persone di minore età confrontata con il minimo (40 % di default) delle entrate FNPS dell\'anno. Nel Consuntivo 2018 il FNPS entra nel fondo indistinto e nessuna riga è imputata al canale FNPS: il prospetto ripartisce tutta la spesa; indicando "channels": ["FNPS"] considera solo le righe del fondo.'
NEW = "Spesa per area FNPS (minori e famiglie, azioni di sistema, altri interventi) e per area di utenza; la spesa per le persone di minore età e le famiglie è confrontata con il minimo (40 %) delle entrate FNPS dell'anno. Quando il FNPS confluisce nel fondo indistinto e nessuna riga è imputata al FNPS, il prospetto ripartisce tutta la spesa dell'ambito."


def forwards(apps, schema_editor):
    ReturnTemplate = apps.get_model("returns", "ReturnTemplate")
    ReturnTemplate.objects.filter(ambito__isnull=True, key="fnps", layout_note=OLD).update(
        layout_note=NEW)


def backwards(apps, schema_editor):
    ReturnTemplate = apps.get_model("returns", "ReturnTemplate")
    ReturnTemplate.objects.filter(ambito__isnull=True, key="fnps", layout_note=NEW).update(
        layout_note=OLD)


class Migration(migrations.Migration):
    dependencies = [("returns", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
