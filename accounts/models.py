import hashlib
import hmac
import secrets

from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractBaseUser, PermissionsMixin
from django.db import models
from django.utils import timezone
from django_otp.models import Device, TimestampMixin


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; the e-mail address is the login."""

    email = models.EmailField("e-mail address", unique=True)
    full_name = models.CharField(max_length=150)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        default=False, help_text="Site staff can use the admin and manage checklist templates."
    )
    date_joined = models.DateTimeField(default=timezone.now)
    # Reminder digest preferences (used by the reminders sweep).
    digest_enabled = models.BooleanField(
        "e-mail me a daily digest", default=True,
        help_text="One e-mail a day with my overdue and due-soon actions and awaited sign-offs.",
    )  # fmt: skip
    digest_hour = models.PositiveSmallIntegerField(
        "digest hour", default=7, help_text="Hour of the day (0-23, site time) to send my digest."
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name", "email"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(digest_hour__lte=23), name="user_digest_hour_valid"
            )
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return (self.full_name or self.email).split(" ")[0]


class AccessToken(models.Model):
    """A personal access token for the API: a name, a scope, an expiry; only its hash is kept.

    The secret is shown once, when it is made (``accounts.services.access_token_create``);
    ``prefix`` (its first characters) tells a person's tokens apart on the profile page.
    """

    class Scope(models.TextChoices):
        READ = "read", "Read"
        READ_WRITE = "read_write", "Read and write"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100)
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.READ)
    prefix = models.CharField(max_length=16)
    # sha256 of the secret, hex: the secret carries 256 random bits, so a plain hash is enough
    # (a slow password hash would only slow every API request down).
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def allows_writes(self):
        return self.scope == self.Scope.READ_WRITE

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()

    @property
    def is_usable(self):
        return self.revoked_at is None and not self.is_expired


# --- Recovery codes of two-step sign-in ----------------------------------------------

RECOVERY_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"  # base32: 5 bits a character
RECOVERY_CODE_LENGTH = 12  # 60 random bits, shown as xxxx-xxxx-xxxx


def recovery_code_normalise(code):
    """A code as typed, without spaces, hyphens or capitals."""
    return "".join(str(code or "").split()).replace("-", "").lower()


def recovery_code_digest(code, salt):
    """HMAC-SHA256 of the normalised code under its own salt (hex), as stored."""
    message = recovery_code_normalise(code).encode()
    return hmac.new(bytes.fromhex(salt), message, hashlib.sha256).hexdigest()


class RecoveryCodeDevice(TimestampMixin, Device):
    """The single-use recovery codes of someone with two-step sign-in on: a django-otp
    device, so a code logs in as an app's code does (``django_otp.match_token``).

    Only a salted digest of each code is kept (``RecoveryCode``); the codes themselves
    exist in the response that shows them once. django-otp's own static device keeps them
    in plain text, and its 16-character field cannot hold a digest.
    """

    def verify_token(self, token):
        """Whether ``token`` is one of the unused codes, which is then spent.

        Every code's digest is computed and compared in constant time, with no early exit,
        so neither the answer's time nor its content says which code came close. The code
        is spent by deleting its row: of two requests with the same code, only the one
        that deletes it is let in (``match_token`` also locks the device first).
        """
        match = None
        for code in self.codes.all():
            if hmac.compare_digest(recovery_code_digest(token, code.salt), code.digest):
                match = code
        if match is None:
            return False
        spent, _ = RecoveryCode.objects.filter(pk=match.pk).delete()
        if not spent:
            return False
        self.set_last_used_timestamp(commit=True)
        return True


class RecoveryCode(models.Model):
    """One unused recovery code, as its salted digest (a used code's row is deleted).

    HMAC-SHA256 rather than a password hasher: the codes are random (60 bits from
    ``secrets``), not chosen by people, so a slow hash adds little, while checking a code
    against up to ten slow hashes of their own salts would cost seconds at every use.
    """

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    salt = models.CharField(max_length=32)  # 16 random bytes, hex
    digest = models.CharField(max_length=64)  # recovery_code_digest(code, salt)

    def __str__(self):
        return f"Recovery code {self.pk} (stored as its digest)"

    @classmethod
    def hashed(cls, device, code):
        """An unsaved row for ``code`` under a new salt."""
        salt = secrets.token_hex(16)
        return cls(device=device, salt=salt, digest=recovery_code_digest(code, salt))
