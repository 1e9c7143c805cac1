"""The front-desk journey for the load test (run by bench/bench_load.py, not by hand).

Each simulated officer logs in once, then repeats what the front desk does all day, one page
after the other: its home, a search by name, a person's page, a ticket issued and called, the
desk page. Between two pages an officer reads and types: 1–3 s (PANDU_LOAD_PACE=officer, a
fast officer; the target). PANDU_LOAD_PACE=stress leaves 0.1–0.3 s, to find the server's
ceiling. Paths come from the environment (resolved by Django in the bench process).
"""

import json
import os
import random

from locust import HttpUser, SequentialTaskSet, between, task

PATHS = json.loads(os.environ["PANDU_LOAD_PATHS"])
SESSIONS = json.loads(os.environ["PANDU_LOAD_SESSIONS"])
PACES = {"officer": between(1, 3), "stress": between(0.1, 0.3)}
# Several app servers: the officers are dealt to them in turn, as a load balancer would.
HOSTS = json.loads(os.environ.get("PANDU_LOAD_HOSTS", "[]"))
_dealt = 0


class Journey(SequentialTaskSet):
    def _post(self, path, name, data=None):
        token = self.client.cookies.get("csrftoken")
        with self.client.post(path, {"csrfmiddlewaretoken": token, **(data or {})},
                              headers={"Referer": self.user.host + path},
                              allow_redirects=False, name=name, catch_response=True) as response:
            if response.status_code not in (200, 302):
                response.failure(f"status {response.status_code}")

    def _get(self, path, name):
        with self.client.get(path, allow_redirects=False, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")

    @task
    def home(self):
        self._get(PATHS["home"], "home")

    @task
    def search(self):
        if PATHS.get("search"):
            self._post(PATHS["search"], "search", {"q": random.choice(PATHS["queries"])})

    @task
    def person(self):
        if PATHS.get("persons"):
            self._get(random.choice(PATHS["persons"]), "person page")

    @task
    def issue(self):
        self._post(PATHS["issue"], "issue ticket")

    @task
    def call(self):
        self._post(PATHS["call"], "call next")

    @task
    def desk(self):
        self._get(PATHS["desk"], "desk page")


class FrontDesk(HttpUser):
    wait_time = PACES[os.environ.get("PANDU_LOAD_PACE", "officer")]
    tasks = [Journey]

    def on_start(self):
        global _dealt
        if HOSTS:
            self.host = self.client.base_url = HOSTS[_dealt % len(HOSTS)]
            _dealt += 1
        # Logged in beforehand (one session per officer, as after the morning's login): the
        # measure is the pages of the working day, not the deliberately slow password hash.
        key = SESSIONS.pop() if SESSIONS else random.choice(json.loads(os.environ["PANDU_LOAD_SESSIONS"]))
        self.client.cookies.set("sessionid", key)
