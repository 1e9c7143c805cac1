"""Finding a person: NIK or KK exactly, names fuzzily with Indonesian spelling variants folded."""

import datetime

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from clients.models import RegistryStatus, SearchName, SearchWord
from clients.selectors import SearchFilters, name_key, person_search, person_search_filtered
from clients.tasks import search_names_prune_nightly
from tests import factories

# (stored in the registry, typed at the desk)
VARIANTS = [
    ("Sukarno Hadi", "Soekarno Hadi"),          # oe → u
    ("Joko Susilo", "Djoko Susilo"),            # dj → j
    ("Cahyadi Nugroho", "Tjahyadi Nugroho"),    # tj → c
    ("Nyoman Sudarta", "Njoman Sudarta"),       # nj → ny
    ("Syamsuddin Lubis", "Sjamsuddin Lubis"),   # sj → sy
    ("Khairul Anwar", "Chairul Anwar"),         # ch → kh
    ("Siti Aminah", "Sitti Aminah"),            # doubled letters
    ("Hj. Fatimah Rahman", "Fatimah Rahman"),   # title on the record
    ("Hasan Basri", "H. Hasan Basri"),          # title typed
    ("Drs. Bambang Hartono", "Bambang Hartono"),
    ("Rahmawati, S.Pd.", "Rahmawati"),          # degree after a comma
    ("Yusuf bin Abdullah", "Yusuf Abdullah"),   # bin
    ("Halimah binti Saleh", "Halimah Saleh"),   # binti
    ("Muhammad Rizki", "Muhamad Rizki"),        # Muhammad variants
    ("Muhammad Rizki", "Mohammad Rizki"),
    ("Muhammad Rizki", "Mochammad Rizki"),
    ("Muhammad Rizki", "Moh. Rizki"),
    ("Muhammad Rizki", "M. Rizki"),
    ("Muhammad Rizki", "Muhammed Rizki"),
    ("Moh. Ilham Akbar", "Muhammad Ilham Akbar"),
    ("Achmad Fauzi", "Ahmad Fauzi"),
    ("José Dìaz", "Jose Diaz"),                 # accents
]

CROWD = [
    "Siti Nurhayati", "Muhammad Yusuf", "Ahmad Hidayat", "Budi Santoso", "Rizki Ramadhan", "Hasanah",
    "Muhammad Ilham", "Sri Wahyuni", "Agus Salim", "Dewi Lestari", "Syamsul Bahri", "Joko Widodo",
    "Nur Aisyah", "Rudi Hartono", "Fatimah Azzahra", "Halimah", "Yusran Saleh", "Bambang Sutrisno",
]


@pytest.fixture
def registry(reference_data):
    household = factories.HouseholdFactory()
    for index, name in enumerate(CROWD * 3):
        factories.PersonFactory(household=household, full_name=name,
                                birth_date=datetime.date(1960 + index % 40, 1 + index % 12, 1 + index % 27))
    return household


@pytest.mark.django_db
@pytest.mark.parametrize(("stored", "typed"), VARIANTS)
def test_each_spelling_variant_finds_the_person_in_the_top_five(registry, stored, typed):
    person = factories.PersonFactory(full_name=stored)
    assert person in person_search(query=typed)[:5]


@pytest.mark.django_db
def test_the_normaliser_folds_titles_old_spellings_and_muhammad(db):
    assert name_key("Drs. H. Moch. Soekarno bin Djojo, S.Pd.") == "muhamad sukarno jojo"
    assert name_key("Hj. Sitti Njai Tjoet") == "siti nyai cut"


@pytest.mark.django_db
def test_a_misspelled_name_is_still_found(registry):
    person = factories.PersonFactory(full_name="Wulandari Kusuma")
    assert person in person_search(query="Wulandri Kusuma")[:5]


@pytest.mark.django_db
def test_the_best_match_comes_first(registry):
    exact = factories.PersonFactory(full_name="Samsul Bahri Lubis")
    factories.PersonFactory(full_name="Samsul Bahri")
    assert person_search(query="Samsul Bahri Lubis")[0] == exact


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["{nik}", " {nik} ", "'{nik}", "{a}.{b}.{c}.{d}", "{a} {b} {c} {d}"])
def test_a_nik_finds_exactly_however_it_is_typed(registry, typed):
    person = factories.PersonFactory(full_name="Jumiati")
    nik = person.nik
    query = typed.format(nik=nik, a=nik[:4], b=nik[4:8], c=nik[8:12], d=nik[12:])
    assert person_search(query=query) == [person]


@pytest.mark.django_db
def test_a_kk_number_finds_the_whole_household(reference_data):
    household = factories.HouseholdFactory()
    members = [factories.PersonFactory(household=household, full_name=name) for name in ("Ani", "Budi", "Citra")]
    factories.PersonFactory(full_name="Ani")
    assert set(person_search(query=f"'{household.kk_number}")) == set(members)


@pytest.mark.django_db
def test_an_unknown_nik_finds_nobody(registry):
    assert person_search(query="6403051203859999") == []


@pytest.fixture
def here_and_there(reference_data):
    """A listed household, and one in a village of another kecamatan that is not."""
    here = factories.HouseholdFactory(village=factories.village("64.03.05.1004"),
                                      registry_status=RegistryStatus.LISTED)
    there = factories.HouseholdFactory(village=factories.village("64.03.06.2001"))
    return here, there


@pytest.mark.django_db
def test_filters_narrow_by_village_kecamatan_and_registry_status(here_and_there):
    here, there = here_and_there
    near = factories.PersonFactory(household=here, full_name="Masitah")
    far = factories.PersonFactory(household=there, full_name="Masitah")
    assert set(person_search(query="Masitah")) == {near, far}
    assert person_search_filtered(query="Masitah", filters=SearchFilters(village=here.village)) == [near]
    assert person_search_filtered(query="Masitah", filters=SearchFilters(kecamatan=there.village.parent)) == [far]
    assert person_search_filtered(
        query="Masitah", filters=SearchFilters(registry_status=RegistryStatus.LISTED)
    ) == [near]


def _plan(sql: str, threshold: str, *, disable=("seqscan",)) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        for method in disable:  # tiny tables: make the planner show the plan it picks for many rows
            cursor.execute(f"SET LOCAL enable_{method} = off")
        cursor.execute("SET LOCAL pg_trgm.similarity_threshold = %s", [threshold])
        cursor.execute(f"EXPLAIN {sql}")
        return "\n".join(row[0] for row in cursor.fetchall())


@pytest.mark.django_db
def test_name_search_uses_the_word_indexes(registry):
    """The query person_search really runs: the names holding words like the typed ones from the
    GIN index on word arrays, their first persons from (name_key, id). (The words themselves
    are a few thousand rows, read whole or by their trigram index as the planner finds cheaper.)"""
    with CaptureQueriesContext(connection) as queries:
        person_search(query="Siti Aminah")
    sql = next(query["sql"] for query in queries.captured_queries if "clients_searchword" in query["sql"])
    with connection.cursor() as cursor:
        # The planner's row counts from these rows, not from what earlier tests (a big import's
        # ANALYZE, autovacuum after rolled-back inserts) left in pg_class.
        cursor.execute("ANALYZE clients_person, clients_searchname, clients_searchword")
    plan = _plan(sql, "0.4")
    assert "word % 'siti'::text" in plan
    assert "Bitmap Index Scan on search_name_words" in plan
    assert "person_name_key_id_idx" in plan


@pytest.mark.django_db
def test_filtered_name_search_compares_the_distinct_names_then_joins_their_persons(registry):
    """The persons have no trigram index: similar names come from search_name_trgm, their
    persons by the exact key from (name_key, id), and the filter from their households."""
    with CaptureQueriesContext(connection) as queries:
        person_search_filtered(query="Siti Aminah", filters=SearchFilters(registry_status=RegistryStatus.LISTED))
    sql = next(query["sql"] for query in queries.captured_queries if "%" in query["sql"])
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE clients_person, clients_household, clients_searchname")
    plan = _plan(sql, "0.6", disable=("seqscan", "indexscan"))
    assert "Bitmap Index Scan on search_name_trgm" in plan
    assert "key % 'siti aminah'::text" in plan
    assert "person_name_key_id_idx" in plan


@pytest.mark.django_db
def test_filtered_search_finds_a_misspelled_name_inside_the_filter_only_best_first(here_and_there):
    here, there = here_and_there
    exact = factories.PersonFactory(household=here, full_name="Wulandari Kusuma")
    longer = factories.PersonFactory(household=here, full_name="Wulandari Kusumawati")
    elsewhere = factories.PersonFactory(household=there, full_name="Wulandari Kusuma")
    for filters in (SearchFilters(village=here.village), SearchFilters(registry_status=RegistryStatus.LISTED)):
        assert person_search_filtered(query="Wulandri Kusuma", filters=filters) == [exact, longer]
    # The names most like the query have nobody in the filter; the next one's person is found.
    assert person_search_filtered(
        query="Wulandari Kusumawati", filters=SearchFilters(village=there.village), limit=1
    ) == [elsewhere]


@pytest.mark.django_db
def test_a_new_name_is_added_to_the_search_names_once(reference_data):
    factories.PersonFactory(full_name="Hanyeq Uvang")
    factories.PersonFactory(full_name="H. Hanyeq Uvang")
    assert SearchName.objects.filter(key="hanyeq uvang").count() == 1
    person = factories.PersonFactory(full_name="Lusiana")
    person.full_name = "Lusiana Ding"
    person.save()
    assert SearchName.objects.filter(key="lusiana ding").exists()


@pytest.mark.django_db
def test_names_nobody_holds_are_forgotten_at_night_and_the_search_still_finds_everyone(reference_data):
    kept = factories.PersonFactory(full_name="Lusiana Ding")
    renamed = factories.PersonFactory(full_name="Hanyeq Uvang")
    renamed.full_name = "Hanyeq Lawing"
    renamed.save()
    factories.PersonFactory(full_name="Yohanes Bilung").delete()
    assert SearchName.objects.filter(key__in=["hanyeq uvang", "yohanes bilung"]).count() == 2
    assert search_names_prune_nightly(timestamp=0) == "search names removed=2 words removed=3"
    assert set(SearchName.objects.values_list("key", flat=True)) == {"lusiana ding", "hanyeq lawing"}
    assert set(SearchWord.objects.values_list("word", flat=True)) == {"lusiana", "ding", "hanyeq", "lawing"}
    assert person_search(query="Lusiana Ding")[0] == kept
    assert person_search(query="Hanyeq Lawing")[0] == renamed
    assert search_names_prune_nightly(timestamp=0) == "search names removed=0 words removed=0"


@pytest.mark.django_db
def test_emptying_the_persons_empties_the_search_names_and_words(reference_data):
    factories.PersonFactory(full_name="Lusiana Ding")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the test's own deferred checks first
        cursor.execute("TRUNCATE clients_person CASCADE")
    assert not SearchName.objects.exists() and not SearchWord.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["Siti Aminah", "x"])
def test_the_search_leaves_pg_trgm_at_its_default_threshold(registry, query):
    person_search(query=query)
    with connection.cursor() as cursor:
        cursor.execute("SHOW pg_trgm.similarity_threshold")
        assert cursor.fetchone()[0] == "0.3"
