from pathlib import Path

from django.db import migrations

NAME_KEY_SQL = (Path(__file__).resolve().parent.parent / "sql" / "name_key.sql").read_text()


class Migration(migrations.Migration):
    """pandu_name_key calls public.pandu_unaccent by its schema, so a restore (pg_restore sets an
    empty search_path while it fills the generated column) finds it."""

    dependencies = [("clients", "0005_import_jobs")]

    operations = [migrations.RunSQL(NAME_KEY_SQL, reverse_sql=migrations.RunSQL.noop)]
