"""Baseline for the load test: the cheapest request the app answers (/health/)."""

from locust import HttpUser, between, task


class Probe(HttpUser):
    wait_time = between(0.5, 1.5)

    @task
    def health(self):
        self.client.get("/health/", name="health")
