"""What every app's forms share: date widgets, a select drawn without templates, and
showing a service's refusal on a form."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%d")
        super().__init__(**kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        kwargs.setdefault("format", "%Y-%m-%dT%H:%M")
        super().__init__(**kwargs)


class PlainSelect(forms.Select):
    """A single select drawn in Python: the elements and attributes Django's widget templates
    give, without their whitespace.

    Django draws a select through a template and one include per option; a filter form
    shown on every request of a busy page (the risk register's, a hundred options) spends
    more on that than on its rows. Use it where a form is drawn on every request.
    """

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "\n",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], flatatt(option["attrs"]), option["label"])
                for _, group, _ in widget["optgroups"]
                for option in group
            ),
        )
        return format_html(
            '<select name="{}"{}>\n{}\n</select>', widget["name"], flatatt(widget["attrs"]), options
        )


def add_service_errors(form, error, *, fields=None):
    """Show a service's ValidationError on ``form``.

    A message about a service argument goes on the form field of the same name
    (``fields`` maps argument names to the form's own where they differ); the rest go
    above the form. Services never know form field names; this is where they meet.
    """
    fields = fields or {}
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for name, messages in error.message_dict.items():
        field = fields.get(name, name)
        form.add_error(field if field in form.fields else None, messages)


def rebase_on_conflict(form, conflict, *, version_field="version"):
    """After a ConflictError: keep what the person typed, base the next save on the
    current version (so saving again is a knowing overwrite), and say what happened."""
    data = form.data.copy()
    data[form.add_prefix(version_field)] = conflict.current_version
    form.data = data
    form.add_error(None, str(conflict))
    return form
