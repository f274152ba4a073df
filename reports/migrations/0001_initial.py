# ReportJob as it was in pianozona/migrations 0001-0002: only the state moves, the table
# (pianozona_reportjob) and its rows stay.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('governance', '0002_italian_relation_labels'),
        ('objectives', '0003_italian_relation_labels'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('pianozona', '0003_reportjob_moved_to_reports'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReportJob',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('piano-operativo', 'Piano Operativo'), ('consuntivo', 'Relazione Consuntivo'), ('piano-di-zona', 'Piano di Zona')], max_length=20, verbose_name='documento')),
                        ('variant', models.CharField(choices=[('pdf/ua-1', 'PDF accessibile (PDF/UA-1)'), ('pdf/a-3b', "PDF per l'archiviazione (PDF/A-3b)")], default='pdf/ua-1', max_length=12, verbose_name='formato')),
                        ('state', models.CharField(choices=[('attesa', 'In attesa di invio'), ('coda', 'In coda'), ('elaborazione', 'In elaborazione'), ('pronto', 'Pronto'), ('errore', 'Errore')], db_index=True, default='coda', max_length=12, verbose_name='stato')),
                        ('progress', models.PositiveSmallIntegerField(default=0, verbose_name='avanzamento (%)')),
                        ('step', models.CharField(blank=True, max_length=120, verbose_name='fase')),
                        ('error', models.TextField(blank=True, verbose_name="motivo dell'errore")),
                        ('data_version', models.CharField(blank=True, db_index=True, help_text='Impronta dei dati da cui il report è stato generato.', max_length=64, verbose_name='versione dei dati')),
                        ('file', models.FileField(blank=True, upload_to='reports/%Y/', verbose_name='file PDF')),
                        ('pages', models.PositiveIntegerField(blank=True, null=True, verbose_name='pagine')),
                        ('reused', models.BooleanField(default=False, help_text='Dati invariati: il file di un report precedente è stato riutilizzato.', verbose_name='riutilizzato')),
                        ('attempts', models.PositiveSmallIntegerField(default=0, help_text='Elaborazioni avviate: un worker interrotto ne lascia una in più.', verbose_name='tentativi')),
                        ('task_id', models.CharField(blank=True, help_text='Il messaggio in elaborazione: se torna, il worker che lo aveva si è fermato.', max_length=64, verbose_name='messaggio Celery')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='richiesto il')),
                        ('started_at', models.DateTimeField(blank=True, null=True, verbose_name='avviato il')),
                        ('finished_at', models.DateTimeField(blank=True, null=True, verbose_name='concluso il')),
                        ('ambito', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='report_jobs', to='governance.ambito')),
                        ('operating_plan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='report_jobs', to='objectives.operatingplan', verbose_name='Piano Operativo')),
                        ('requested_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='richiesto da')),
                        ('zone_plan', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='report_jobs', to='objectives.zoneplan', verbose_name='Piano di Zona')),
                    ],
                    options={
                        'verbose_name': 'report PDF',
                        'verbose_name_plural': 'report PDF',
                        'db_table': 'pianozona_reportjob',
                        'ordering': ['-created_at', '-pk'],
                        'indexes': [models.Index(fields=['kind', 'variant', 'data_version'], name='pianozona_r_kind_9049a6_idx')],
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('kind', 'piano-di-zona'), ('operating_plan__isnull', True), ('zone_plan__isnull', False)), models.Q(models.Q(('kind', 'piano-di-zona'), _negated=True), ('operating_plan__isnull', False)), _connector='OR'), name='reportjob_target_matches_kind'), models.CheckConstraint(condition=models.Q(('progress__lte', 100)), name='reportjob_progress_percent')],
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
