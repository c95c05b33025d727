"""PlainSelect draws what Django's Select draws (whitespace aside)."""

import re

import pytest
from django import forms

from core.forms import PlainSelect

CHOICES = [("", "Any owner"), (1, "Ann & <Bob>"), ("x", 'Say "x"')]


@pytest.mark.parametrize("value", ["", "1", None, "x", "missing"])
def test_plain_select_draws_what_select_draws(value):
    def draw(widget_class):
        widget = widget_class(attrs={"class": "form-select"}, choices=CHOICES)
        html = widget.render("owner", value, attrs={"id": "filter-owner", "required": True})
        return re.sub(r"\s*\n\s*", "", html)

    assert draw(PlainSelect) == draw(forms.Select)
    assert "&lt;Bob&gt;" in draw(PlainSelect)
