"""make backup → wipe → make restore gives back every row and every photo byte."""

import psycopg
import pytest
from django.core.files.base import ContentFile
from django.db import connection

from pandu.backup import (
    RestoreError,
    _bin,
    _libpq_env,
    backup_create,
    backup_restore,
    database_url_for,
)
from pandu.files import private_storage
from tests import factories

TABLES = ["clients_household", "clients_person", "clients_region", "desks_service", "auth_user", "pandu_auditevent"]


def _counts(conn) -> dict[str, int]:
    with conn.cursor() as cursor:
        return {table: cursor.execute(f"SELECT count(*) FROM {table}").fetchone()[0] for table in TABLES}


@pytest.fixture
def restore_db_url():
    import subprocess

    env, _ = _libpq_env(None)
    name = "pandu_restore_check"
    subprocess.run([_bin("psql"), "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], env=env, check=True, capture_output=True)
    subprocess.run([_bin("psql"), "-d", "postgres", "-c", f"CREATE DATABASE {name}"], env=env, check=True, capture_output=True)
    yield database_url_for(name)
    subprocess.run([_bin("psql"), "-d", "postgres", "-c", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], env=env, check=True, capture_output=True)


@pytest.mark.django_db(transaction=True)
def test_backup_then_restore_into_an_empty_database_gives_back_rows_and_photo_bytes(
    reference_data, front_desk, tmp_path, settings, restore_db_url
):
    settings.MEDIA_ROOT = tmp_path / "media"
    for _ in range(3):
        factories.PersonFactory()
    photo_bytes = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 10
    stored = private_storage.save("persons/photo-test.jpg", ContentFile(photo_bytes))
    before = _counts(connection.connection)

    archive = backup_create(directory=tmp_path / "backups")
    assert archive.name.startswith("pandu-backup-") and archive.stat().st_mode & 0o077 == 0

    restored_media = tmp_path / "restored-media"
    result = backup_restore(archive=archive, database_url=restore_db_url, media_root=restored_media)
    assert result["media_files"] == 1
    with psycopg.connect(restore_db_url) as conn:
        assert _counts(conn) == before
    assert (restored_media / "private" / stored).read_bytes() == photo_bytes

    # A second restore into the now non-empty database is refused unless it is wiped first.
    with pytest.raises(RestoreError):
        backup_restore(archive=archive, database_url=restore_db_url, media_root=restored_media)
    backup_restore(archive=archive, database_url=restore_db_url, media_root=restored_media, wipe=True)
    with psycopg.connect(restore_db_url) as conn:
        assert _counts(conn) == before
