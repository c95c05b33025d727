"""The shared kernel: the conflict error, the form helpers and row URLs."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from core.errors import ConflictError
from core.forms import add_service_errors, rebase_on_conflict
from core.http import UrlTemplate, absolute_url


class _Change:
    def __init__(self, user, changes):
        self.user, self.changes = user, changes


class NoteForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    note = forms.CharField()
    owner = forms.CharField(required=False)


def test_conflict_error_names_who_changed_what():
    conflict = ConflictError(
        current=object(),
        current_version=3,
        what="this finding",
        changes=[
            _Change("Paul Manager", {"impact": ["3", "5"]}),
            _Change(None, {"title": ["a", "b"]}),
        ],
    )
    assert str(conflict).startswith("Paul Manager changed this finding while you were editing it.")
    assert conflict.summary == ["impact: 3 → 5", "title: a → b"]
    assert conflict.current_version == 3


def test_conflict_error_without_history_names_the_last_editor():
    conflict = ConflictError(
        current=object(), current_version=2, what="the minutes", changed_by="Fiona", pronoun="them"
    )
    assert str(conflict).startswith("Fiona changed the minutes while you were editing them.")
    assert conflict.summary == []


def test_service_errors_land_on_the_fields_they_name_and_the_rest_above_the_form():
    form = NoteForm({"version": 1, "note": "x"})
    assert form.is_valid()
    add_service_errors(
        form,
        ValidationError({"note": "Too vague.", "first_action.owner": "Not a member.", "zz": "?"}),
        fields={"first_action.owner": "owner"},
    )
    assert form.errors["note"] == ["Too vague."]
    assert form.errors["owner"] == ["Not a member."]
    assert form.non_field_errors() == ["?"]


def test_a_plain_service_error_goes_above_the_form():
    form = NoteForm({"version": 1, "note": "x"})
    form.is_valid()
    add_service_errors(form, ValidationError("Not now."))
    assert form.non_field_errors() == ["Not now."]


def test_rebase_keeps_what_was_typed_on_the_current_version():
    form = NoteForm({"n-version": "1", "n-note": "my text"}, prefix="n")
    form.is_valid()
    conflict = ConflictError(current=object(), current_version=4, what="this note")
    rebase_on_conflict(form, conflict)
    assert form["version"].value() == 4
    assert form["note"].value() == "my text"
    assert str(conflict) in form.non_field_errors()


@pytest.mark.parametrize(("fixed", "free"), [((7, 8), (9,)), ((7,), (8, 9))])
def test_url_template_fills_in_what_reverse_gives(fixed, free):
    template = UrlTemplate("reviews:item_detail", *fixed, free=len(free))
    assert template.fill(*free) == reverse("reviews:item_detail", args=[*fixed, *free])


def test_absolute_urls_start_with_the_site_url(settings):
    settings.SITE_URL = "https://readiness.example.com"
    template = UrlTemplate("risks:my_actions", free=0, absolute=True)
    assert template.fill() == "https://readiness.example.com/my-actions/"
    assert absolute_url("/x/") == "https://readiness.example.com/x/"
