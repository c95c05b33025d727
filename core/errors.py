"""The one error for an edit made on top of an older version of something."""

from core.history import describe_changes


class ConflictError(Exception):
    """Someone saved the same thing since this edit started; nothing was saved.

    Items, findings, mitigation actions and workshop minutes all raise it. ``current`` is
    the object as it is now and ``current_version`` its version, so the page can offer the
    person's own text again on top of it (saving again is then a knowing overwrite).
    ``changes`` are the history rows saved since the edit's version (each with ``user``,
    ``created_at`` and ``changes``), so the page can say who changed what; they are empty
    for things without a change history (minutes), where ``changed_by`` names the person.
    """

    def __init__(
        self, *, current, current_version, what, changes=(), changed_by=None, pronoun="it"
    ):
        self.current = current
        self.current_version = current_version
        self.changes = list(changes)
        names = sorted({str(change.user) for change in self.changes if change.user})
        if not names and changed_by is not None:
            names = [str(changed_by)]
        who = ", ".join(names) or "Someone else"
        super().__init__(
            f"{who} changed {what} while you were editing {pronoun}. Your changes were not saved: "
            "what you typed is still in the form; check it against what changed and save again."
        )

    @property
    def summary(self):
        """["likelihood: 2 → 4", ...] for every change since the edit's version, oldest first."""
        return [line for change in self.changes for line in describe_changes(change.changes)]


def refuse_if_stale(current, version, *, what):
    """Raise ConflictError when an edit made on top of ``version`` finds ``current`` (locked,
    with a ``version`` and a ``changes`` history) moved on. ``None`` skips the check."""
    if version is None or int(version) == current.version:
        return
    since = current.changes.filter(version__gt=version).select_related("user").order_by("version")
    raise ConflictError(
        current=current, current_version=current.version, what=what, changes=list(since)
    )
