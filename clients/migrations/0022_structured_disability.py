"""Disability as data: the kinds (physical, intellectual, mental, sight, hearing, speech, multiple)
and the severity of each person's disability, read from the free text written so far.

The text is read with the Indonesian words of the registry forms and of Permensos 8/2012
(tuna daksa, netra, rungu, wicara, grahita, ganda; berat, sedang, ringan) and a few common
others (lumpuh, buta, tuli, bisu, jiwa, ODGJ…). What names no kind is kept, marked
``disability_to_review`` for the data officer's list "Disabilities to review". The text itself
stays as the description. The words are in this migration (a migration is history): later
changes of the form do not change what this step did."""

import django.contrib.postgres.fields
from django.db import migrations, models
from django.db.models import Q, Value

# One UPDATE: each kind whose words the lower-case text holds, then the severity, then the mark
# for the data officer where the text names none.
STRUCTURE_SQL = r"""
WITH words AS (
  SELECT id, lower(disability) AS t FROM clients_person WHERE btrim(disability) <> ''
), kinds AS (
  SELECT id, t, array_remove(ARRAY[
    CASE WHEN t ~ '(daksa|fisik|lumpuh|amputasi|diamputasi|kaki|tangan|polio|kusta|cerebral|lengan|bungkuk|kerdil)'
         THEN 'physical' END,
    CASE WHEN t ~ '(grahita|intelektual|down ?syndrom|keterbelakangan|lambat belajar|autis)' THEN 'intellectual' END,
    CASE WHEN t ~ '(mental|jiwa|psikososial|skizofren|odgj|depresi|bipolar|laras)' THEN 'mental' END,
    CASE WHEN t ~ '(netra|buta|mata|penglihatan|low vision|rabun)' THEN 'sight' END,
    CASE WHEN t ~ '(rungu|tuli|pendengaran|telinga|budek|budeg)' THEN 'hearing' END,
    CASE WHEN t ~ '(wicara|bisu|bicara|gagap|sumbing)' THEN 'speech' END,
    CASE WHEN t ~ '(ganda|majemuk|multi)' THEN 'multiple' END
  ], NULL)::varchar(12)[] AS found
  FROM words
)
UPDATE clients_person p SET
  disability_kinds = k.found,
  disability_severity = CASE
    WHEN cardinality(k.found) = 0 THEN ''
    WHEN k.t ~ '(berat|parah|total|tidak bisa (berjalan|melihat|mendengar)|bedridden|tirah baring)' THEN 'severe'
    WHEN k.t ~ 'sedang' THEN 'moderate'
    WHEN k.t ~ 'ringan' THEN 'mild'
    ELSE '' END,
  disability_to_review = cardinality(k.found) = 0
FROM kinds k WHERE p.id = k.id
"""


class Migration(migrations.Migration):

    dependencies = [
        ('clients', '0021_upkeep_changes_programmes_proposals'),
    ]

    operations = [
        migrations.AlterField(
            model_name='person',
            name='disability',
            field=models.CharField(blank=True, help_text='What the person or the record says (for example: kaki kiri diamputasi). The kinds and the severity below are what the reports count.', max_length=255, verbose_name='disability, in words'),
        ),
        migrations.AddField(
            model_name='person',
            name='disability_kinds',
            field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(choices=[('physical', 'Physical (daksa)'), ('intellectual', 'Intellectual (grahita)'), ('mental', 'Mental (psychosocial)'), ('sight', 'Sensory: sight (netra)'), ('hearing', 'Sensory: hearing (rungu)'), ('speech', 'Sensory: speech (wicara)'), ('multiple', 'Multiple (ganda), kinds not known')], max_length=12), blank=True, db_default=Value([], output_field=django.contrib.postgres.fields.ArrayField(base_field=models.CharField(max_length=12), size=None)), default=list, size=None, verbose_name='kinds of disability'),
        ),
        migrations.AddField(
            model_name='person',
            name='disability_severity',
            field=models.CharField(blank=True, choices=[('mild', 'Mild'), ('moderate', 'Moderate'), ('severe', 'Severe')], db_default='', default='', max_length=10, verbose_name='severity of the disability'),
        ),
        migrations.AddField(
            model_name='person',
            name='disability_to_review',
            field=models.BooleanField(db_default=False, default=False, help_text='The disability was written in words the kinds could not be read from.', verbose_name='disability to review'),
        ),
        migrations.RunSQL(STRUCTURE_SQL, migrations.RunSQL.noop),
        migrations.AddConstraint(
            model_name='person',
            constraint=models.CheckConstraint(condition=Q(disability_severity='') | ~Q(disability_kinds=[]), name='person_severity_has_kind'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=Q(~Q(disability_kinds=[]), life_status='active'), fields=['household'], include=['disability_kinds', 'disability_severity', 'birth_date'], name='person_disability_idx'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(condition=Q(disability_to_review=True), fields=['id'], name='person_disability_review_idx'),
        ),
    ]
