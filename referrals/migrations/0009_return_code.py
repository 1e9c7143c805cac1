"""Every referral gets a reply slip's return code: the existing ones get one here, each unique,
before the column becomes required and unique (the reply slip, issue 17)."""

import secrets

from django.db import migrations, models
from django.db.models import Q

import referrals.models

# As in referrals.models when this migration was written: a migration is history.
ALPHABET = "ACDEFHJKMNPQRTUVWXY34679"
LENGTH = 8


def give_codes(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    taken = set(Referral.objects.exclude(return_code__isnull=True).values_list("return_code", flat=True))
    pending = []
    for referral in Referral.objects.filter(return_code__isnull=True).only("pk").iterator(chunk_size=2000):
        code = None
        while code is None or code in taken:
            code = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
        taken.add(code)
        referral.return_code = code
        pending.append(referral)
        if len(pending) >= 2000:
            Referral.objects.bulk_update(pending, ["return_code"])
            pending = []
    Referral.objects.bulk_update(pending, ["return_code"])


class Migration(migrations.Migration):

    dependencies = [
        ("referrals", "0008_outcome_channel_and_aid_value"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="return_code",
            field=models.CharField(editable=False, max_length=8, null=True),
        ),
        migrations.RunPython(give_codes, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="referral",
            name="return_code",
            field=models.CharField(
                default=referrals.models.new_return_code,
                editable=False,
                help_text="Printed on the letter's reply slip: the office types or scans it to record the agency's answer.",
                max_length=8,
                unique=True,
                verbose_name="return code",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                condition=Q(status__in=("completed", "rejected")),
                fields=["created_at"],
                include=["provider", "kecamatan", "sent_at", "closed_at"],
                name="referral_answered_idx",
            ),
        ),
    ]
