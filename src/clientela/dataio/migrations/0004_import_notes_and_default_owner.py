# The report's notes on rows skipped, merged or stored with a warning; the owner for
# records whose owner column names no one with an account; the count of warned rows.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('dataio', '0003_import_checks_and_stops'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name='importrun',
            name='default_owner',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='owner when the file names no one with an account'),
        ),
        migrations.AddField(
            model_name='importrun',
            name='warned',
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.CreateModel(
            name='ImportNote',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('row', models.PositiveIntegerField()),
                ('kind', models.CharField(choices=[('skipped', 'Skipped'), ('merged', 'Merged'), ('warning', 'Warning')], max_length=10)),
                ('column', models.CharField(blank=True, max_length=255)),
                ('message', models.TextField()),
                ('run', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='notes', to='dataio.importrun')),
            ],
            options={
                'ordering': ('row', 'id'),
                'indexes': [models.Index(fields=['run', 'row'], name='import_note_row_idx')],
            },
        ),
    ]
