"""`make run`: the development web server and a job worker together; Ctrl+C stops both.

Usage: python scripts/run.py [HOST:PORT]

The worker (`manage.py procrastinate worker`, pandu/jobs.py) runs in its own session, so the
terminal's Ctrl+C reaches only the web server; when that ends, the worker is asked to stop
(SIGTERM: it finishes its job) and killed if it is still busy after 10 s (its job is run
again by the next worker). Its log goes to .data/worker.log.
"""

import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOG = ROOT / ".data" / "worker.log"
STOP_SECONDS = 10


def main(argv: list[str]) -> int:
    address = argv[0] if argv else "127.0.0.1:8000"
    LOG.parent.mkdir(exist_ok=True)
    env = {**os.environ, "LOG_LEVEL": os.environ.get("WORKER_LOG_LEVEL", "INFO")}
    with LOG.open("ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "procrastinate", "worker"], cwd=ROOT, env=env,
            stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        server = subprocess.Popen([sys.executable, "manage.py", "runserver", address], cwd=ROOT)
        # Ctrl+C is the server's to handle; this process waits for it, then stops the worker.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, lambda *_: server.terminate())
        return server.wait()
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=STOP_SECONDS)
        except subprocess.TimeoutExpired:
            print(f"The job worker was still busy after {STOP_SECONDS} s: stopped; its job runs again at the next start.")
            worker.kill()
            worker.wait()


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
