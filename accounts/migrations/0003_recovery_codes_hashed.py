"""Recovery codes kept as salted digests: the codes django-otp's static device held in
plain text are hashed into accounts.RecoveryCode (each keeps working once), then deleted."""

import hashlib
import hmac
import secrets

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def _digest(code, salt):
    # A copy of accounts.models.recovery_code_digest as it was when this was written.
    message = "".join(code.split()).replace("-", "").lower().encode()
    return hmac.new(bytes.fromhex(salt), message, hashlib.sha256).hexdigest()


def hash_plain_codes(apps, schema_editor):
    """Each "recovery" static device becomes a RecoveryCodeDevice with the digests of its
    unused codes; the plain codes are deleted with their device."""
    StaticDevice = apps.get_model("otp_static", "StaticDevice")
    RecoveryCodeDevice = apps.get_model("accounts", "RecoveryCodeDevice")
    RecoveryCode = apps.get_model("accounts", "RecoveryCode")
    for old in StaticDevice.objects.filter(name="recovery").prefetch_related("token_set"):
        device = RecoveryCodeDevice.objects.create(
            user_id=old.user_id, name=old.name, confirmed=old.confirmed
        )
        RecoveryCodeDevice.objects.filter(pk=device.pk).update(
            created_at=old.created_at, last_used_at=old.last_used_at
        )
        codes = []
        for token in old.token_set.all():
            salt = secrets.token_hex(16)
            codes.append(RecoveryCode(device=device, salt=salt, digest=_digest(token.token, salt)))
        RecoveryCode.objects.bulk_create(codes)
        old.delete()  # and its plain tokens


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_access_tokens'),
        ('otp_static', '0003_add_timestamps'),
    ]

    operations = [
        migrations.CreateModel(
            name='RecoveryCodeDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('name', models.CharField(help_text='The human-readable name of this device.', max_length=64)),
                ('confirmed', models.BooleanField(default=True, help_text='Is this device ready for use?')),
                ('created_at', models.DateTimeField(auto_now_add=True, help_text='The date and time when this device was initially created in the system.', null=True)),
                ('last_used_at', models.DateTimeField(blank=True, help_text='The most recent date and time this device was used.', null=True)),
                ('user', models.ForeignKey(help_text='The user that this device belongs to.', on_delete=django.db.models.deletion.CASCADE, to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'abstract': False,
            },
        ),
        migrations.CreateModel(
            name='RecoveryCode',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('salt', models.CharField(max_length=32)),
                ('digest', models.CharField(max_length=64)),
                ('device', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='codes', to='accounts.recoverycodedevice')),
            ],
        ),
        # Not reversible into plain codes: going back, people make new ones.
        migrations.RunPython(hash_plain_codes, migrations.RunPython.noop),
    ]
