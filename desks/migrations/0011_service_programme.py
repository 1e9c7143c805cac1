"""The programme or fund a service's aid comes from, for the totals of the aid given per
programme (the reference file fills it while it is empty: ``load_reference_data``); the visits of
a period by day (the persons served)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('desks', '0010_eligibility_and_programme'),
    ]

    operations = [
        migrations.AddField(
            model_name='service',
            name='programme',
            field=models.CharField(blank=True, help_text="The programme or fund the service's aid comes from (ASLUT, Jamkesda, Baznas Berau Makmur, CSR Berau Coal…): the reports total the value of the aid per programme. Empty: the service counts as a programme of its own.", max_length=80, verbose_name='programme'),
        ),
        migrations.AddIndex(
            model_name='ticket',
            index=models.Index(fields=['issued_on'], include=['person'], name='ticket_issued_idx'),
        ),
    ]
