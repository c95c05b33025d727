"""Load test: demo personas log in once, then walk their pages again and again.

bench/run.py starts this headless against gunicorn; it passes the ids of the demo
project, review and item in BENCH_PROJECT, BENCH_REVIEW and BENCH_ITEM. No think time by
default (BENCH_THINK_TIME), so the figures say what the server can take. With
BENCH_FLOOR=1 the users fetch the bare-Django floor page instead, for comparison.
"""

import itertools
import os

from locust import HttpUser, SequentialTaskSet, constant, task

PASSWORD = os.environ.get("BENCH_PASSWORD", "readiness-demo")
PERSONAS = os.environ.get(
    "BENCH_PERSONAS",
    "facilitator@demo.example.com,pm@demo.example.com,approver@demo.example.com,"
    "approver2@demo.example.com,contributor@demo.example.com,viewer@demo.example.com",
).split(",")
PROJECT = os.environ.get("BENCH_PROJECT", "1")
REVIEW = os.environ.get("BENCH_REVIEW", "2")
ITEM = os.environ.get("BENCH_ITEM", "1")
FLOOR_BYTES = int(os.environ.get("BENCH_FLOOR_BYTES", "20000"))
LOGIN = "/accounts/login/"
_numbers = itertools.count()


class PersonaJourney(SequentialTaskSet):
    """Home, project, review, register, my actions, workshop mode, go / no-go."""

    def _page(self, path, name):
        with self.client.get(path, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code} on {path}")
            elif response.url and LOGIN in response.url:
                response.failure(f"sent to log in from {path}")

    @task
    def home(self):
        self._page("/", "home")

    @task
    def project(self):
        self._page(f"/projects/{PROJECT}/", "project")

    @task
    def review(self):
        self._page(f"/projects/{PROJECT}/reviews/{REVIEW}/", "review")

    @task
    def register(self):
        self._page(f"/projects/{PROJECT}/risks/", "register")

    @task
    def my_actions(self):
        self._page("/my-actions/", "my actions")

    @task
    def workshop_item(self):
        self._page(f"/projects/{PROJECT}/reviews/{REVIEW}/workshop/?item={ITEM}", "workshop item")

    @task
    def decision(self):
        self._page(f"/projects/{PROJECT}/reviews/{REVIEW}/decision/", "decision gate")


class FloorPage(SequentialTaskSet):
    """The bare-Django page of bench/urls.py, for the machine's floor under the same load."""

    @task
    def floor(self):
        self.client.get(f"/__floor__/{FLOOR_BYTES}/", name="floor page")


class Persona(HttpUser):
    wait_time = constant(float(os.environ.get("BENCH_THINK_TIME", "0")))
    tasks = [FloorPage if os.environ.get("BENCH_FLOOR") else PersonaJourney]

    def on_start(self):
        email = PERSONAS[next(_numbers) % len(PERSONAS)]
        self.client.get(LOGIN, name="log in (form)")
        token = self.client.cookies.get("csrftoken", "")
        with self.client.post(
            LOGIN,
            {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
            name="log in",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                response.failure(f"log-in of {email} answered {response.status_code}")
