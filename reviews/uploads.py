"""Stop reading an upload once it passes the size limit, as it arrives.

Django's own handlers write a whole upload to memory or a temporary file before any view
can look at its size, so a 200 MiB post was received whole before being refused. This
handler, first in FILE_UPLOAD_HANDLERS, counts each file's bytes as they arrive and stops
the upload (without reading the rest of the request) once a file passes
EVIDENCE_MAX_BYTES, the largest file the site accepts; a request whose declared length is
already far beyond it is stopped at its first file chunk. The view learns why from
``upload_refusal(request)``.
"""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, StopUpload

# Room for the form's other fields and the multipart boundaries around a file at the limit.
FORM_OVERHEAD_BYTES = 64 * 1024


def megabytes(size):
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def upload_refusal(request):
    """The message saying why an upload of this request was stopped, or None."""
    request.FILES  # noqa: B018 - reads the body (running the handlers) if nothing did yet
    return getattr(request, "_upload_refusal", None)


class UploadSizeLimitHandler(FileUploadHandler):
    def handle_raw_input(self, input_data, META, content_length, boundary, encoding=None):
        self.limit = settings.EVIDENCE_MAX_BYTES
        self.too_long = bool(content_length) and content_length > self.limit + FORM_OVERHEAD_BYTES

    def new_file(self, *args, **kwargs):
        super().new_file(*args, **kwargs)
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.too_long or self.received > self.limit:
            self.request._upload_refusal = (
                f"The file is larger than the {megabytes(self.limit)} MB limit; "
                "nothing was uploaded."
            )
            # Stop here: the rest of the body is not read (the server closes the connection).
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) builds the file
