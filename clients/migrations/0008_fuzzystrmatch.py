from django.contrib.postgres.operations import CreateExtension
from django.db import migrations, models
from django.db.models.functions import Length


class Migration(migrations.Migration):
    """fuzzystrmatch's levenshtein_less_equal finds a typed word with one letter added, dropped or
    changed among the search words (clients.selectors._ids_by_words)."""

    dependencies = [("clients", "0007_search_words")]

    operations = [
        CreateExtension("fuzzystrmatch"),
        migrations.AddIndex(
            model_name="searchword",
            index=models.Index(Length("word"), name="search_word_length"),
        ),
    ]
