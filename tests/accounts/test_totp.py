"""Two-step sign-in: a time-based code (or a single-use recovery code) after the password.

Codes are computed from the device's own secret at a fixed clock: django-otp's TOTP module
reads the time through ``clock``, which each test moves on by whole 30-second steps.
Recovery codes are kept as salted digests only (accounts.models.RecoveryCode).
"""

import re
import time
import types

import pytest
from django.conf import settings
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils.html import escape
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp import models as totp_models
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import RecoveryCode
from accounts.services import access_token_create
from tests.factories import DEMO_PASSWORD, UserFactory

LOCKED_OUT = "Too many failed log-ins"
RECOVERY_CODES = re.compile(r"<li class=\"col\">([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})</li>")


class Clock:
    def __init__(self):
        self.now = 1_900_000_000.0

    def time(self):
        return self.now

    def step(self):
        self.now += 30


@pytest.fixture
def clock(monkeypatch):
    fixed = Clock()
    monkeypatch.setattr(totp_models, "time", types.SimpleNamespace(time=fixed.time))
    return fixed


def _code(device, clock):
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits)
    totp.time = clock.now
    return f"{totp.token():0{device.digits}d}"


def _logged_in(client):
    return "_auth_user_id" in client.session


def _password(client, user, password=DEMO_PASSWORD):
    return client.post(reverse("login"), {"username": user.email, "password": password})


def _set_up(client, user, clock):
    """Turn two-step sign-in on through the profile page; returns the device and the
    recovery codes the page showed."""
    client.force_login(user)
    client.post(reverse("accounts:two_step_setup"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:two_step_confirm"), {"token": _code(device, clock)})
    assert response.status_code == 200
    codes = RECOVERY_CODES.findall(response.text)
    client.logout()
    clock.step()
    return device, codes


@pytest.fixture
def person(db):
    return UserFactory(email="two.step@example.com")


def test_setup_shows_a_qr_code_and_the_key_and_counts_only_after_a_first_code(person, clock):
    client = Client()
    client.force_login(person)
    page = client.get(reverse("accounts:profile"))
    assert "Set up two-step sign-in" in page.text

    client.post(reverse("accounts:two_step_setup"))
    page = client.get(reverse("accounts:profile"))
    device = TOTPDevice.objects.get(user=person)
    assert "<svg" in page.text
    assert re.search(r"<code[^>]*>[A-Z2-7]{32,}</code>", page.text)
    assert not device.confirmed

    wrong = client.post(reverse("accounts:two_step_confirm"), {"token": "000000"})
    assert wrong.status_code == 422
    assert "That code is not right" in wrong.text
    assert not TOTPDevice.objects.get(pk=device.pk).confirmed

    right = client.post(reverse("accounts:two_step_confirm"), {"token": _code(device, clock)})
    assert right.status_code == 200
    assert right["Cache-Control"] == "no-store"
    assert TOTPDevice.objects.get(pk=device.pk).confirmed
    codes = RECOVERY_CODES.findall(right.text)
    assert len(codes) == 10
    assert (
        "Recovery codes left: <strong>10</strong>" in client.get(reverse("accounts:profile")).text
    )


def test_people_without_a_device_log_in_with_the_password_alone(person):
    client = Client()
    response = _password(client, person)
    assert response.status_code == 302
    assert response["Location"] == reverse(settings.LOGIN_REDIRECT_URL)
    assert _logged_in(client)


def test_sign_in_with_a_device_needs_the_code_after_the_password(person, clock):
    device, _ = _set_up(Client(), person, clock)
    client = Client()
    response = _password(client, person)
    assert response["Location"] == reverse("login_code")
    assert not _logged_in(client)
    assert client.get(reverse("accounts:profile")).status_code == 302  # still anonymous

    response = client.post(reverse("login_code"), {"token": _code(device, clock)})
    assert response.status_code == 302
    assert _logged_in(client)
    assert client.get(reverse("accounts:profile")).status_code == 200
    assert "otp_device_id" in client.session


def test_a_recovery_code_works_once(person, clock):
    from axes.models import AccessAttempt

    _, codes = _set_up(Client(), person, clock)
    first = Client()
    _password(first, person)
    # As printed, or typed without the hyphens, in capitals, with spaces.
    typed = codes[0].replace("-", " ").upper()
    assert first.post(reverse("login_code"), {"token": typed}).status_code == 302
    assert _logged_in(first)
    assert RecoveryCode.objects.filter(device__user=person).count() == 9

    second = Client()
    _password(second, person)
    response = second.post(reverse("login_code"), {"token": codes[0]})
    assert response.status_code == 422
    assert "That code is not right" in response.text
    assert not _logged_in(second)
    # The spent code counts as a failed log-in, like any wrong code.
    assert AccessAttempt.objects.get(username=person.email).failures_since_start == 1
    # Another one still works.
    third = Client()
    _password(third, person)
    assert third.post(reverse("login_code"), {"token": codes[1]}).status_code == 302
    assert _logged_in(third)


def test_the_database_holds_no_recovery_code_in_clear(person, clock):
    """Every table, dumped: none of the ten codes appears, in any spelling."""
    from io import StringIO

    from django.core.management import call_command

    _, codes = _set_up(Client(), person, clock)
    assert len(codes) == 10
    dump = StringIO()
    call_command("dumpdata", stdout=dump)
    dumped = dump.getvalue().lower()
    assert "accounts.recoverycode" in dumped
    for code in codes:
        assert code not in dumped
        assert code.replace("-", "") not in dumped
    assert not StaticToken.objects.exists()


def test_enough_wrong_recovery_codes_lock_the_account(person, clock):
    _, codes = _set_up(Client(), person, clock)
    client = Client(REMOTE_ADDR="198.51.100.21")
    _password(client, person)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login_code"), {"token": f"aaaa-bbbb-ccc{attempt}"})
    assert LOCKED_OUT in response.text
    again = Client(REMOTE_ADDR="192.0.2.34")
    assert LOCKED_OUT in _password(again, person).text
    assert not _logged_in(again)
    # A right code does not open it either (the pending log-in is gone), and is not spent.
    assert client.post(reverse("login_code"), {"token": codes[0]})["Location"] == reverse("login")
    assert not _logged_in(client)
    assert RecoveryCode.objects.filter(device__user=person).count() == 10


def test_a_plain_code_from_before_the_migration_still_works_once(person, clock):
    """The data migration hashes the codes django-otp's static device kept in clear."""
    import importlib

    from django.apps import apps

    migration = importlib.import_module("accounts.migrations.0003_recovery_codes_hashed")
    _set_up(Client(), person, clock)
    person.recoverycodedevice_set.all().delete()  # as before: the codes in a static device
    old = StaticDevice.objects.create(user=person, name="recovery")
    StaticToken.objects.bulk_create(
        StaticToken(device=old, token=token) for token in ("abcdefgh", "ijklmnop")
    )
    migration.hash_plain_codes(apps, None)

    assert not StaticDevice.objects.exists()
    assert not StaticToken.objects.exists()
    assert RecoveryCode.objects.filter(device__user=person).count() == 2
    assert not RecoveryCode.objects.filter(digest__contains="abcdefgh").exists()
    first = Client()
    _password(first, person)
    assert first.post(reverse("login_code"), {"token": "abcdefgh"}).status_code == 302
    assert _logged_in(first)
    second = Client()
    _password(second, person)
    assert second.post(reverse("login_code"), {"token": "abcdefgh"}).status_code == 422
    assert not _logged_in(second)
    client = Client()
    client.force_login(person)
    assert "Recovery codes left: <strong>1</strong>" in client.get(reverse("accounts:profile")).text


def test_a_wrong_code_is_refused_and_counted_like_a_wrong_password(person, clock):
    from axes.models import AccessAttempt

    device, _ = _set_up(Client(), person, clock)
    client = Client()
    _password(client, person)
    wrong = str((int(_code(device, clock)) + 1) % 1_000_000).zfill(6)
    response = client.post(reverse("login_code"), {"token": wrong})
    assert response.status_code == 422
    assert not _logged_in(client)
    attempt = AccessAttempt.objects.get(username=person.email)
    assert attempt.failures_since_start == 1


def test_enough_wrong_codes_lock_the_account_like_wrong_passwords(person, clock):
    device, _ = _set_up(Client(), person, clock)
    client = Client(REMOTE_ADDR="198.51.100.20")
    _password(client, person)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        response = client.post(reverse("login_code"), {"token": f"99999{attempt}"})
    assert LOCKED_OUT in response.text
    assert not _logged_in(client)

    # The right password, and then the right code, from anywhere: still locked.
    again = Client(REMOTE_ADDR="192.0.2.33")
    assert LOCKED_OUT in _password(again, person).text
    assert not _logged_in(again)
    assert client.post(reverse("login_code"), {"token": _code(device, clock)}).status_code != 200
    assert not _logged_in(client)


def test_the_pending_sign_in_expires(person, clock, monkeypatch):
    device, _ = _set_up(Client(), person, clock)
    client = Client()
    _password(client, person)
    later = time.time() + settings.TWO_STEP_PENDING_SECONDS + 1
    monkeypatch.setattr(signing, "time", types.SimpleNamespace(time=lambda: later))
    response = client.post(reverse("login_code"), {"token": _code(device, clock)})
    assert response["Location"] == reverse("login")
    assert not _logged_in(client)


def test_the_code_page_without_a_password_first_sends_to_log_in(db):
    response = Client().get(reverse("login_code"))
    assert response["Location"] == reverse("login")


def test_turning_it_off_needs_a_current_code(person, clock):
    device, _ = _set_up(Client(), person, clock)
    client = Client()
    client.force_login(person)
    refused = client.post(reverse("accounts:two_step_off"), {"token": "123456"})
    assert refused.status_code == 422
    assert TOTPDevice.objects.filter(user=person, confirmed=True).exists()

    client.post(reverse("accounts:two_step_off"), {"token": _code(device, clock)})
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not RecoveryCode.objects.filter(device__user=person).exists()
    assert _password(Client(), person)["Location"] == reverse(settings.LOGIN_REDIRECT_URL)


def test_new_recovery_codes_replace_the_old_ones(person, clock):
    _, old = _set_up(Client(), person, clock)
    client = Client()
    client.force_login(person)
    response = client.post(reverse("accounts:recovery_codes_new"))
    new = RECOVERY_CODES.findall(response.text)
    assert len(new) == 10
    assert not set(new) & set(old)
    other = Client()
    _password(other, person)
    assert other.post(reverse("login_code"), {"token": old[1]}).status_code == 422


def test_staff_must_set_it_up_when_the_setting_is_on(db, clock, settings):
    settings.OTP_REQUIRED_FOR_STAFF = True
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    response = _password(client, staff)
    assert response["Location"] == reverse("accounts:profile") + "#two-step"
    assert client.get(reverse("admin:index"))["Location"] == (
        reverse("accounts:profile") + "#two-step"
    )

    client.post(reverse("accounts:two_step_setup"))
    device = TOTPDevice.objects.get(user=staff)
    client.post(reverse("accounts:two_step_confirm"), {"token": _code(device, clock)})
    assert client.get(reverse("admin:index")).status_code == 200

    # The next log-in: the admin only after the code.
    clock.step()
    client = Client()
    _password(client, staff)
    client.post(reverse("login_code"), {"token": _code(device, clock)})
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_use_the_admin_without_a_code_when_the_setting_is_off(db):
    staff = UserFactory(email="staff@example.com", is_staff=True, is_superuser=True)
    client = Client()
    _password(client, staff)
    assert client.get(reverse("admin:index")).status_code == 200


def test_profile_queries_stay_flat(person, clock, django_assert_max_num_queries):
    """With two-step sign-in on: the same queries for no API tokens as for twelve."""
    _set_up(Client(), person, clock)
    client = Client()
    client.force_login(person)
    counts = []
    for tokens in (0, 12):
        for number in range(tokens):
            access_token_create(acting_user=person, name=f"tool {number}", scope="read", days=30)
        with django_assert_max_num_queries(6) as captured:
            assert "Recovery codes left" in client.get(reverse("accounts:profile")).text
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_the_admin_shows_how_many_recovery_codes_are_left_never_the_codes(person, clock):
    _, codes = _set_up(Client(), person, clock)
    staff = Client()
    staff.force_login(UserFactory(email="admin@example.com", is_staff=True, is_superuser=True))
    listing = staff.get(reverse("admin:accounts_recoverycodedevice_changelist"))
    assert listing.status_code == 200
    assert escape(str(person)) in listing.text
    device = person.recoverycodedevice_set.get()
    page = staff.get(reverse("admin:accounts_recoverycodedevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert re.search(r"Codes left:.*?10", page.text, re.S)
    for text in (listing.text, page.text):
        assert not any(code in text or code.replace("-", "") in text for code in codes)
