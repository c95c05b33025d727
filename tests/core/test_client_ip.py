"""core.http.client_ip: what the lock-out and the rate limits count by."""

from django.test import RequestFactory

from core.http import client_ip


def test_without_a_proxy_the_forwarded_header_is_ignored(settings):
    settings.BEHIND_TLS_PROXY = False
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="1.2.3.4")
    assert client_ip(request) == "10.0.0.5"


def test_behind_the_proxy_the_address_it_added_counts_not_what_the_client_claimed(settings):
    settings.BEHIND_TLS_PROXY = True
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 198.51.100.4"
    )
    assert client_ip(request) == "198.51.100.4"
    bare = RequestFactory().get("/", REMOTE_ADDR="10.0.0.1")
    assert client_ip(bare) == "10.0.0.1"
