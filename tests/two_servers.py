"""Two app processes against one database, as a second office server would run.

The processes are real `manage.py runserver` instances on loopback, pointed at the test
database; requests carry a session created by the test and a CSRF token."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import requests
from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def app_servers(count: int = 2):
    from pandu.backup import database_url_for

    env = {**os.environ, "DATABASE_URL": database_url_for(settings.DATABASES["default"]["NAME"]), "DEBUG": "true"}
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    ports = [_free_port() for _ in range(count)]
    processes = [
        subprocess.Popen([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload", "--nothreading"],
                         cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        deadline = time.monotonic() + 60
        for url in urls:
            while True:
                try:
                    if requests.get(f"{url}/health/", timeout=2).status_code == 200:
                        break
                except requests.ConnectionError:
                    pass
                if time.monotonic() > deadline:
                    raise RuntimeError("app server did not start")
                time.sleep(0.2)  # polling a starting process, not waiting for an effect under test
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=10)


def session_for(user, base_url: str) -> requests.Session:
    """A requests session logged in as user (server-side session in the shared database), past
    the second factor as force_login is (tests/conftest.py)."""
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY

    from tests.factories import confirmed_app

    store = SessionStore()
    store["_auth_user_id"] = str(user.pk)
    store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    store["_auth_user_hash"] = user.get_session_auth_hash()
    store[DEVICE_ID_SESSION_KEY] = confirmed_app(user).persistent_id
    store.create()
    session = requests.Session()
    session.cookies.set(settings.SESSION_COOKIE_NAME, store.session_key, domain="127.0.0.1")
    session.get(f"{base_url}/", timeout=10)  # sets the CSRF cookie
    return session


def post(session: requests.Session, url: str, data: dict | None = None) -> requests.Response:
    token = session.cookies.get(settings.CSRF_COOKIE_NAME)
    return session.post(url, data={**(data or {}), "csrfmiddlewaretoken": token},
                        headers={"Referer": url, "X-CSRFToken": token or ""}, allow_redirects=False, timeout=30)


def at_once(count: int, press) -> None:
    """Run press(0) … press(count - 1) in threads released together by a barrier."""
    barrier = threading.Barrier(count)

    def run(index: int):
        barrier.wait()
        press(index)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
