"""Baseline for the load test: the cheapest request the app answers (/health/), at the same
pace as the journey's officers."""

import os

from locust import HttpUser, between, task

PACES = {"officer": between(1, 3), "stress": between(0.1, 0.3)}


class Probe(HttpUser):
    wait_time = PACES[os.environ.get("PANDU_LOAD_PACE", "officer")]

    @task
    def health(self):
        self.client.get("/health/", name="health")
