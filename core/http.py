"""HTTP helpers every app's views use: a safe redirect target, URLs for many rows, the
client's address."""

from django.conf import settings
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def client_ip(request):
    """The address of the client: REMOTE_ADDR, or behind the TLS proxy (BEHIND_TLS_PROXY)
    the last X-Forwarded-For entry, the one the proxy itself added (earlier entries are
    whatever the client claimed). Log-in lock-out and rate limits count by it."""
    address = request.META.get("REMOTE_ADDR", "")
    if settings.BEHIND_TLS_PROXY:
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        address = forwarded.rsplit(",", 1)[-1].strip() or address
    return address[:45]


def absolute_url(path):
    """The address of a page of this site for e-mails, invitations and PDFs (SITE_URL)."""
    return settings.SITE_URL + path


def safe_next_url(request, default):
    """The ``next`` address sent with a request if it is a path on this site; else ``default``.

    Only absolute paths are taken: a bare word would be read by redirect() as a view name.
    """
    target = request.POST.get("next") or request.GET.get("next") or ""
    if (
        target.startswith("/")
        and not target.startswith("//")
        and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure())
    ):
        return target
    return default


class UrlTemplate:
    """A URL reversed once and filled in per row, for pages that link hundreds of rows.

    ``UrlTemplate("reviews:item_detail", project.pk, review.pk).fill(item.pk)`` gives what
    ``reverse("reviews:item_detail", args=[project.pk, review.pk, item.pk])`` gives, at the
    cost of a string format: the trailing arguments are reversed as placeholders.
    ``absolute=True`` makes it a link for e-mails (``absolute_url``).
    """

    PLACEHOLDER = 987_654_320

    def __init__(self, name, *fixed, free=1, absolute=False):
        placeholders = [self.PLACEHOLDER + index for index in range(free)]
        url = reverse(name, args=[*fixed, *placeholders])
        if absolute:
            url = absolute_url(url)
        url = url.replace("{", "{{").replace("}", "}}")
        for index, placeholder in enumerate(placeholders):
            url = url.replace(str(placeholder), f"{{{index}}}")
        self.pattern = url

    def fill(self, *values):
        return self.pattern.format(*values)
