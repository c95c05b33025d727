"""What every app's forms share: date widgets, and showing a service's refusal on a form."""

from django import forms


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
