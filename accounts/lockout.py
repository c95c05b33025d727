"""Log-in lock-out (django-axes): per account whatever the spelling, and per client address.

django-axes counts failures per user name as typed; an e-mail address is one account in
any case and with any surrounding space, so every name is normalised (``normalise_login``)
before axes and the authentication backends see it. Two locks then hold:

- per account: ``AXES_FAILURE_LIMIT`` failures for one address, from anywhere, lock it;
- per client address: ``AXES_IP_FAILURE_LIMIT`` failures from one address, on any
  accounts, lock that address (higher, so a few typos in a shared office do not lock
  everyone behind its address).

A successful log-in clears the failures of the account that logged in, never those of the
client address, so logging in to one's own account between guesses wipes nothing.
"""

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def normalise_login(value):
    """The one spelling of a log-in e-mail address: no surrounding space, lower case."""
    return str(value or "").strip().lower()


def login_username(request, credentials=None):
    """AXES_USERNAME_CALLABLE: the normalised name from the credentials or the posted form."""
    if credentials:
        value = credentials.get(settings.AXES_USERNAME_FORM_FIELD)
    else:
        value = getattr(request, "POST", {}).get(settings.AXES_USERNAME_FORM_FIELD)
    return normalise_login(value) or None


class LockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit per account and a (higher) one per address."""

    def _failures(self, request, **match):
        attempts = AccessAttempt.objects.filter(**match)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0

    def get_failures(self, request, credentials=None):
        """The account's failures; or the account limit itself when the client address has
        reached its own limit (axes compares this number with AXES_FAILURE_LIMIT)."""
        username = login_username(request, credentials)
        account = self._failures(request, username=username) if username else 0
        address = getattr(request, "axes_ip_address", None)
        if (
            address
            and self._failures(request, ip_address=address) >= settings.AXES_IP_FAILURE_LIMIT
        ):
            return max(account, settings.AXES_FAILURE_LIMIT)
        return account

    def reset_user_attempts(self, request, credentials=None):
        """After a successful log-in: forget that account's failures only."""
        username = login_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
