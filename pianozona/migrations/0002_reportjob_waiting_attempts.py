from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("pianozona", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="reportjob",
            name="attempts",
            field=models.PositiveSmallIntegerField(
                default=0,
                help_text="Elaborazioni avviate: un worker interrotto ne lascia una in più.",
                verbose_name="tentativi",
            ),
        ),
        migrations.AddField(
            model_name="reportjob",
            name="task_id",
            field=models.CharField(
                blank=True,
                help_text="Il messaggio in elaborazione: se torna, il worker che lo aveva si è fermato.",
                max_length=64,
                verbose_name="messaggio Celery",
            ),
        ),
        migrations.AlterField(
            model_name="reportjob",
            name="state",
            field=models.CharField(
                choices=[
                    ("attesa", "In attesa di invio"),
                    ("coda", "In coda"),
                    ("elaborazione", "In elaborazione"),
                    ("pronto", "Pronto"),
                    ("errore", "Errore"),
                ],
                db_index=True,
                default="coda",
                max_length=12,
                verbose_name="stato",
            ),
        ),
    ]
