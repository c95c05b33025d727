"""Where uploaded files live, read from the environment by readiness/settings.py.

The local folder MEDIA_ROOT unless a bucket is named, by either

- ``STORAGE_URL=s3://BUCKET[/PREFIX][?endpoint_url=URL&region_name=NAME&addressing_style=path]``
  (an S3-compatible service: AWS, MinIO, Ceph, ...), or
- ``AWS_STORAGE_BUCKET_NAME`` with the optional ``AWS_S3_ENDPOINT_URL``,
  ``AWS_S3_REGION_NAME``, ``AWS_S3_ADDRESSING_STYLE`` and ``AWS_LOCATION`` (the prefix).

The credentials are never part of either: boto3 reads ``AWS_ACCESS_KEY_ID`` and
``AWS_SECRET_ACCESS_KEY`` from the environment, or the host's role. Imports nothing that
needs the settings, which call it.
"""

from urllib.parse import parse_qsl, urlsplit

from django.core.exceptions import ImproperlyConfigured

BUCKET_BACKEND = "core.storage.BucketStorage"
LOCAL_BACKEND = "django.core.files.storage.FileSystemStorage"
PRESIGNED_SECONDS_MAX = 60
URL_OPTIONS = ("endpoint_url", "region_name", "addressing_style")
AWS_VARIABLES = {
    "AWS_STORAGE_BUCKET_NAME": "bucket_name",
    "AWS_S3_ENDPOINT_URL": "endpoint_url",
    "AWS_S3_REGION_NAME": "region_name",
    "AWS_S3_ADDRESSING_STYLE": "addressing_style",
    "AWS_LOCATION": "location",
}


def _from_url(storage_url):
    parts = urlsplit(storage_url)
    if parts.scheme != "s3" or not parts.hostname:
        raise ImproperlyConfigured(
            f"STORAGE_URL must look like s3://BUCKET?endpoint_url=...; got {parts.scheme}://..."
        )
    if parts.username or parts.password:
        raise ImproperlyConfigured(
            "STORAGE_URL carries no credentials: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY in the environment instead."
        )
    options = {"bucket_name": parts.hostname, "location": parts.path.strip("/")}
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if key not in URL_OPTIONS:
            raise ImproperlyConfigured(
                f"STORAGE_URL: unknown option {key!r}; known: {', '.join(URL_OPTIONS)}."
            )
        options[key] = value
    return options


def default_storage(environ, *, presigned_seconds):
    """STORAGES["default"] for these environment variables (a mapping of strings)."""
    storage_url = environ.get("STORAGE_URL", "")
    if storage_url:
        options = _from_url(storage_url)
    elif environ.get("AWS_STORAGE_BUCKET_NAME"):
        options = {key: environ[name] for name, key in AWS_VARIABLES.items() if environ.get(name)}
    else:
        return {"BACKEND": LOCAL_BACKEND}
    if not 0 < presigned_seconds <= PRESIGNED_SECONDS_MAX:
        raise ImproperlyConfigured(
            f"AWS_QUERYSTRING_EXPIRE is {presigned_seconds}: a download link must expire "
            f"within {PRESIGNED_SECONDS_MAX} seconds."
        )
    return {
        "BACKEND": BUCKET_BACKEND,
        "OPTIONS": {
            **options,
            # A second upload of the same name gets a name of its own, as on the local disk
            # (django-storages' default is to overwrite, which would replace older evidence).
            "file_overwrite": False,
            "default_acl": None,  # private: the bucket's own policy, never public-read
            "querystring_expire": presigned_seconds,
            "signature_version": "s3v4",
        },
    }
