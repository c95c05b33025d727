"""The log-in lock-out holds whatever the spelling of the e-mail and wherever the guesses come from.

Found by the hardening review (issue 12): after five wrong passwords, ``TARGET@…`` or the
address with a trailing space logged in with the right password, because django-axes
counted failures per typed spelling. The lock is now per account (any spelling, any
address) and per client address (many accounts guessed from one place).
"""

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from tests.factories import DEMO_PASSWORD, UserFactory

LOCKED_OUT = "Too many failed log-ins"
SPELLINGS = [
    "target@example.com",
    "TARGET@EXAMPLE.COM",
    "Target@Example.Com",
    " target@example.com",
    "target@example.com ",
    "\ttarget@EXAMPLE.com\n",
]


def _log_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def _logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def target(db):
    return UserFactory(email="target@example.com")


def test_failures_in_every_spelling_count_towards_one_lock(target):
    client = Client(REMOTE_ADDR="198.51.100.7")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, SPELLINGS[attempt % len(SPELLINGS)], f"wrong-{attempt}")
    for spelling in SPELLINGS:
        response = _log_in(client, spelling, DEMO_PASSWORD)
        assert LOCKED_OUT in response.text, f"{spelling!r} logged in past the lock"
        assert not _logged_in(client)


def test_the_lock_is_per_account_whatever_the_address_of_the_guesses(target):
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        guesser = Client(REMOTE_ADDR=f"203.0.113.{attempt + 1}")
        _log_in(guesser, SPELLINGS[attempt % len(SPELLINGS)], f"wrong-{attempt}")
    owner = Client(REMOTE_ADDR="192.0.2.200")
    response = _log_in(owner, "Target@example.com", DEMO_PASSWORD)
    assert LOCKED_OUT in response.text
    assert not _logged_in(owner)


def test_logging_in_to_another_account_does_not_wipe_the_count(target):
    """A guesser with an account of their own must not reset the target's count by
    logging in between guesses."""
    guesser_account = UserFactory(email="guesser@example.com")
    client = Client(REMOTE_ADDR="198.51.100.9")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, SPELLINGS[attempt % len(SPELLINGS)], f"wrong-{attempt}")
        if attempt % 2:
            assert _log_in(client, guesser_account.email, DEMO_PASSWORD).status_code == 302
            client.logout()
    assert LOCKED_OUT in _log_in(client, target.email, DEMO_PASSWORD).text


def test_one_address_guessing_many_accounts_is_locked(db, settings):
    settings.AXES_IP_FAILURE_LIMIT = 8
    victims = [UserFactory(email=f"victim{n}@example.com") for n in range(8)]
    sprayer = Client(REMOTE_ADDR="198.51.100.66")
    for victim in victims:
        _log_in(sprayer, victim.email.upper(), "Summer2026!")
    bystander = UserFactory(email="bystander@example.com")
    assert LOCKED_OUT in _log_in(sprayer, bystander.email, DEMO_PASSWORD).text
    # Someone elsewhere still logs in to an account the sprayer tried once.
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    assert _log_in(elsewhere, victims[0].email, DEMO_PASSWORD).status_code == 302


def test_a_few_failures_from_a_shared_address_do_not_lock_its_other_people(target):
    bystander = UserFactory(email="bystander@example.com")
    client = Client(REMOTE_ADDR="198.51.100.20")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, target.email, f"wrong-{attempt}")
    assert _log_in(client, bystander.email, DEMO_PASSWORD).status_code == 302


def test_the_right_password_in_any_spelling_logs_in_before_the_limit(target):
    for spelling in SPELLINGS:
        client = Client()
        assert _log_in(client, spelling, DEMO_PASSWORD).status_code == 302, spelling
        assert _logged_in(client)
