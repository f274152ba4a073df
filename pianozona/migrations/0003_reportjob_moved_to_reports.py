# The report jobs moved to the reports app; their table stays where it is.

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('pianozona', '0002_reportjob_waiting_attempts'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ReportJob')],
            database_operations=[],
        ),
    ]
