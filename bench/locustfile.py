"""The front-desk journey for the load test (run by bench/bench_load.py, not by hand).

Each simulated officer logs in once, then repeats what the front desk does all day:
its home, a search by name, a person's page, a ticket issued and called, the desk page.
Paths come from the environment (resolved by Django in the bench process).
"""

import json
import os
import random

from locust import HttpUser, between, task

PATHS = json.loads(os.environ["PANDU_LOAD_PATHS"])
SESSIONS = json.loads(os.environ["PANDU_LOAD_SESSIONS"])


class FrontDesk(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        # Logged in beforehand (one session per officer, as after the morning's login): the
        # measure is the pages of the working day, not the deliberately slow password hash.
        key = SESSIONS.pop() if SESSIONS else random.choice(json.loads(os.environ["PANDU_LOAD_SESSIONS"]))
        self.client.cookies.set("sessionid", key)

    def _post(self, path, name):
        token = self.client.cookies.get("csrftoken")
        with self.client.post(path, {"csrfmiddlewaretoken": token}, headers={"Referer": self.host + path},
                              allow_redirects=False, name=name, catch_response=True) as response:
            if response.status_code not in (200, 302):
                response.failure(f"status {response.status_code}")

    def _get(self, path, name):
        with self.client.get(path, allow_redirects=False, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

    @task
    def journey(self):
        self._get(PATHS["home"], "home")
        if PATHS.get("searches"):
            self._get(random.choice(PATHS["searches"]), "search")
        if PATHS.get("persons"):
            self._get(random.choice(PATHS["persons"]), "person page")
        self._post(PATHS["issue"], "issue ticket")
        self._post(PATHS["call"], "call next")
        self._get(PATHS["desk"], "desk page")
