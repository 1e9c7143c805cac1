"""Scorecard version 2: the current version copied, with the three answers the paper's scorecard
leaves out (docs/verivali.md), made current. The version it copies is not changed and the surveys
that used it keep it.

Only a current version with the paper's own words is copied (Berau's version 1): a district's own
scorecard, or a database where no version is loaded yet, is left as it is (on a fresh database
``load_reference_data`` loads version 1 and makes version 2 the same way, with
``verivali.services.version_fill_paper_gaps``). The texts are written here, not imported: a
migration keeps what it did.
"""

from django.db import migrations
from django.db.models import Max

GAPS = {
    "S02": ("option_1", "buruh (labourer)", "tidak bekerja/buruh (no job or labourer)"),
    "S04": ("option_1", "> 3 orang (more than 3)", "≥ 3 orang (3 or more)"),
    "S05": ("option_3", "Rp 1-1.5 juta", "Rp 1-5 juta"),
}
INDICATOR_FIELDS = ("position", "group", "code", "text", "option_1", "option_2", "option_3", "option_4")


def forwards(apps, schema_editor):
    Version = apps.get_model("verivali", "ScorecardVersion")
    Indicator = apps.get_model("verivali", "Indicator")
    ClassBand = apps.get_model("verivali", "ClassBand")
    current = Version.objects.filter(is_current=True).first()
    if current is None:
        return
    indicators = {i.code: i for i in Indicator.objects.filter(version=current)}
    if any(code not in indicators or getattr(indicators[code], option) != paper
           for code, (option, paper, _closed) in GAPS.items()):
        return
    number = Version.objects.aggregate(n=Max("number"))["n"] + 1
    copy = Version.objects.create(
        number=number, name=current.name, is_current=False,
        notes=f"Version {current.number} with the paper's gaps answered: S02 a head with no job, S04 exactly 3 "
              "members sick or disabled, S05 assets of Rp 1.5–5 million.",
    )
    rows = []
    for indicator in Indicator.objects.filter(version=current).order_by("position"):
        values = {name: getattr(indicator, name) for name in INDICATOR_FIELDS}
        if indicator.code in GAPS:
            option, _paper, closed = GAPS[indicator.code]
            values[option] = closed
        rows.append(Indicator(version=copy, **values))
    Indicator.objects.bulk_create(rows)
    ClassBand.objects.bulk_create(
        ClassBand(version=copy, welfare_class=b.welfare_class, min_score=b.min_score, max_score=b.max_score)
        for b in ClassBand.objects.filter(version=current)
    )
    Version.objects.filter(pk=current.pk).update(is_current=False)
    Version.objects.filter(pk=copy.pk).update(is_current=True)


class Migration(migrations.Migration):
    dependencies = [("verivali", "0006_verivali_outcomes")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
