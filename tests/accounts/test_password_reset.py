"""Password reset: the answer does not depend on whether the account exists, and requests
are rate-limited per address and per client address (issue 12, Low).

The mail used to be sent inside the request, so an address with an account answered
measurably slower than one without. The request now only records the wish (a task, after
the commit); the task looks the account up and sends.
"""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import UserFactory

URL = reverse("password_reset")
DONE = reverse("password_reset_done")
LIMITED = "Too many password reset requests"


@pytest.fixture
def account(db):
    return UserFactory(email="known@example.com", full_name="Known Person")


def _ask(client, email, capture):
    with capture(execute=False) as callbacks, CaptureQueriesContext(connection) as queries:
        response = client.post(URL, {"email": email})
    return response, callbacks, queries


def test_the_answer_is_the_same_whether_the_account_exists_or_not(
    account, django_capture_on_commit_callbacks
):
    answers = {}
    for email in ("known@example.com", "nobody@example.com"):
        response, callbacks, queries = _ask(
            Client(REMOTE_ADDR="198.51.100.1"), email, django_capture_on_commit_callbacks
        )
        user_queries = [q["sql"] for q in queries if "accounts_user" in q["sql"]]
        answers[email] = (response.status_code, response["Location"], len(callbacks), user_queries)
    assert answers["known@example.com"] == answers["nobody@example.com"] == (302, DONE, 1, [])
    assert mail.outbox == []  # nothing is sent inside the request


def test_the_task_sends_the_reset_mail_to_an_existing_account_only(
    account, django_capture_on_commit_callbacks
):
    for email in ("KNOWN@example.com ", "nobody@example.com"):
        _, callbacks, _ = _ask(
            Client(REMOTE_ADDR="198.51.100.2"), email, django_capture_on_commit_callbacks
        )
        for callback in callbacks:
            callback()
    (message,) = mail.outbox
    assert message.to == ["known@example.com"]
    link = re.search(r"https?://\S+/password/reset/\S+/\S+/", message.body).group(0)
    assert link.startswith("http://127.0.0.1:8000/")
    page = Client().get(link, follow=True)
    assert "new password" in page.text.lower()


def test_requests_for_one_address_are_limited(account, settings):
    settings.PASSWORD_RESET_LIMIT_PER_ADDRESS = 3
    answers = [
        Client(REMOTE_ADDR=f"203.0.113.{n}").post(URL, {"email": "Known@Example.com"}).status_code
        for n in range(4)
    ]
    assert answers == [302, 302, 302, 429]
    # Another address is not affected.
    assert (
        Client(REMOTE_ADDR="203.0.113.9").post(URL, {"email": "x@example.com"}).status_code == 302
    )


def test_requests_from_one_client_address_are_limited(db, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 5
    client = Client(REMOTE_ADDR="192.0.2.50")
    answers = [client.post(URL, {"email": f"p{n}@example.com"}).status_code for n in range(6)]
    assert answers == [302] * 5 + [429]
    refused = client.post(URL, {"email": "another@example.com"})
    assert LIMITED in refused.text
    assert Client(REMOTE_ADDR="192.0.2.51").post(URL, {"email": "a@example.com"}).status_code == 302


def test_a_limited_request_says_so_whether_the_account_exists_or_not(account, settings):
    settings.PASSWORD_RESET_LIMIT_PER_IP = 1
    client = Client(REMOTE_ADDR="192.0.2.60")
    client.post(URL, {"email": "someone@example.com"})
    known = client.post(URL, {"email": "known@example.com"})
    unknown = client.post(URL, {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 429
    assert LIMITED in known.text
    assert LIMITED in unknown.text
