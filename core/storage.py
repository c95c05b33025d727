"""Stored files (evidence, logos, summary PDFs): the bucket backend and their downloads.

Which storage holds them is configured in core.storage_settings. Code reads and writes
them through the storage API only (no ``.path``, no temporary file another process would
need), so web and worker hosts share nothing but the storage.
"""

import mimetypes

from botocore.exceptions import ClientError
from django.conf import settings
from django.core.files.base import File
from django.http import FileResponse, HttpResponseRedirect
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage
from storages.utils import clean_name


class BucketStream(File):
    """A stored object's body, read as it arrives (it cannot seek back)."""

    def __init__(self, storage, name):
        self._storage = storage
        super().__init__(None, name)
        self.open()

    def open(self, mode=None):
        """Read from the start: a new GET (``File.open`` would look for a local path)."""
        if self.file is not None:
            self.file.close()
        key = self._storage._normalize_name(clean_name(self.name))
        try:  # the client, not boto3's resource layer, which costs more than the transfer
            response = self._storage.connection.meta.client.get_object(
                Bucket=self._storage.bucket_name, Key=key
            )
        except ClientError as error:
            if error.response["ResponseMetadata"]["HTTPStatusCode"] == 404:
                raise FileNotFoundError(f"No stored file {self.name}") from error
            raise
        self.file = response["Body"]
        self.size = response["ContentLength"]
        return self


class BucketStorage(S3Storage):
    """django-storages' S3 storage, reading a file as a stream.

    S3Storage downloads a whole object into memory before the first byte is read; here a
    file opened for reading is the object's body, passed on as it arrives (one GET).
    """

    def _open(self, name, mode="rb"):
        if set(mode) - {"r", "b"}:
            return super()._open(name, mode)
        return BucketStream(self, name)

    def download_url(self, name, *, filename, content_type):
        """A presigned GET URL (valid ``querystring_expire`` seconds) that makes a download."""
        parameters = {
            "ResponseContentDisposition": content_disposition_header(True, filename),
            "ResponseContentType": content_type,
        }
        return self.url(name, parameters=parameters)


class StoredFileResponse(FileResponse):
    # Fewer, larger reads: from a bucket each read is a call into the HTTP client (4 KiB,
    # FileResponse's own size, doubles the time of a 1 MB download).
    block_size = 64 * 1024


def stored_file_response(file, *, filename, content_type=None):
    """The download of ``file`` (a FieldFile), for a view that has checked who may have it.

    Streamed from the storage, never read whole; or, with STORAGE_DOWNLOADS=redirect and a
    bucket, a redirect to a presigned URL that expires within a minute. Raises
    FileNotFoundError when streaming a file that is missing.
    """
    content_type = content_type or mimetypes.guess_type(filename)[0] or "application/octet-stream"
    storage = file.storage
    if settings.STORAGE_DOWNLOADS == "redirect" and isinstance(storage, BucketStorage):
        url = storage.download_url(file.name, filename=filename, content_type=content_type)
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the link is this user's, for now
        return response
    handle = storage.open(file.name, "rb")
    response = StoredFileResponse(
        handle, as_attachment=True, filename=filename, content_type=content_type
    )
    if not response.has_header("Content-Length") and handle.size is not None:
        response["Content-Length"] = str(handle.size)  # a stream cannot be measured by seeking
    return response
