from pathlib import Path

from django.db import migrations

SEARCH_WORDS_SQL = (Path(__file__).resolve().parent.parent / "sql" / "search_words.sql").read_text()


class Migration(migrations.Migration):
    """The persons' search-name trigger leaves out the names already there and names no conflict
    target, so a big registry import can rebuild clients_searchname's unique constraint."""

    dependencies = [("clients", "0011_person_name_key_trigger")]

    operations = [migrations.RunSQL(SEARCH_WORDS_SQL, reverse_sql=migrations.RunSQL.noop)]
