from django.db import migrations


def create_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name="case_worker")


def remove_role(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name="case_worker").delete()


class Migration(migrations.Migration):
    """The case worker (pekerja sosial, Sakti Peksos): assesses a citizen's needs, plans the
    follow-ups, follows up after aid and closes the case, for the cases of their caseload."""

    dependencies = [("pandu", "0006_audit_status_check")]
    operations = [migrations.RunPython(create_role, remove_role)]
