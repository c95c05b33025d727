"""core.text: member text made safe to send (links only to this site, no control characters)."""

import pytest
from django.conf import settings

from core.text import has_foreign_url, inert_html, inert_text, strip_control_characters


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("see https://evil.example/login.", "see hxxps://evil[.]example/login."),
        ("(http://evil.example/x)", "(hxxp://evil[.]example/x)"),
        ("www.evil.example/a?b=1", "www[.]evil[.]example/a?b=1"),
        ("FTP://files.evil.example/x", "FTP://files[.]evil[.]example/x"),
        ("plain text, no address", "plain text, no address"),
    ],
)
def test_foreign_addresses_are_defanged(typed, sent):
    assert inert_text(typed) == sent


def test_addresses_of_this_site_are_kept_and_look_alikes_are_not():
    own = f"{settings.SITE_URL}/projects/1/"
    look_alike = f"{settings.SITE_URL}.evil.example/projects/1/"
    assert inert_text(f"open {own} now") == f"open {own} now"
    assert "evil[.]example" in inert_text(look_alike)
    assert has_foreign_url(look_alike)
    assert not has_foreign_url(own, "no address")


def test_html_is_escaped_own_addresses_linked_and_foreign_ones_not():
    own = f"{settings.SITE_URL}/projects/1/"
    html = inert_html(f'<b>x</b> "{own}" and https://evil.example/?a=<1>\nnext')
    assert "<b>" not in html
    assert f'<a href="{own}">{own}</a>' in html
    assert "hxxps://evil[.]example/?a=&lt;1&gt;" in html
    assert html.count("<a ") == 1
    assert "<br>next" in html


def test_control_characters_go_and_a_lone_cr_becomes_a_line_break():
    assert strip_control_characters("a\rb\x00c\x1b[0m\x85d\te") == "a\nbc[0md\te"
    assert strip_control_characters("a\r\nb", keep_newlines=False) == "a b"
