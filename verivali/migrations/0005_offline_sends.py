# The surveyors' offline app: what a phone sent, under the UUID it made (verivali/offline.py).

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('verivali', '0004_files_removed_by_retention'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='OfflineSend',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('uuid', models.UUIDField(unique=True, verbose_name='UUID made on the phone')),
                ('kind', models.CharField(choices=[('survey', 'Survey'), ('photo', 'Photo')], max_length=6, verbose_name='kind')),
                ('result', models.JSONField(default=dict, verbose_name='answer given to the phone')),
                ('assessment', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='offline_sends', to='verivali.assessment')),
                ('surveyor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'offline send',
                'verbose_name_plural': 'offline sends',
                'ordering': ['assessment', 'created_at'],
            },
        ),
    ]
