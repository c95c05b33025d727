"""A project's logo: what an upload must be to be printed on the summary PDF.

The summary PDF embeds the logo itself (as a data: URI read from storage), so the file
is checked here, on upload: a PNG or JPEG by its content, not its name, small enough
to embed, and of a sensible size in pixels (a tiny file can unpack to a huge image).
"""

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from PIL import Image

LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_PIXELS = 4000  # on the longer side
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def validate_project_logo(upload):
    """Raise ValidationError unless ``upload`` is a PNG or JPEG within the limits."""
    if upload.size > LOGO_MAX_BYTES:
        raise ValidationError(
            f"The logo is {filesizeformat(upload.size)}; the limit is "
            f"{filesizeformat(LOGO_MAX_BYTES)}. Save it smaller (a logo prints well at "
            "600 pixels wide).",
            code="logo_too_large",
        )
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            image_format = image.format
            width, height = image.size
            image.verify()  # a truncated or corrupt file fails here
    except Exception as error:  # Pillow raises many kinds for a file that is not an image
        raise ValidationError(
            "This file is not a PNG or JPEG image we can read.", code="logo_not_an_image"
        ) from error
    finally:
        upload.seek(0)
    if image_format not in LOGO_FORMATS:
        raise ValidationError(
            f"The logo must be a PNG or JPEG image; this one is {image_format or 'unknown'}.",
            code="logo_format",
        )
    if max(width, height) > LOGO_MAX_PIXELS:
        raise ValidationError(
            f"The logo is {width} by {height} pixels; at most {LOGO_MAX_PIXELS} pixels on "
            "the longer side.",
            code="logo_too_many_pixels",
        )
