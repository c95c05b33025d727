"""What a thread is about, as the apps above describe it.

This app sits below reviews and risks, so it cannot import their models. Each of them
registers, when Django starts (its ``AppConfig.ready``), a finder for its kind of subject:
``finder(access, pk)`` returns the ``Subject`` of that id in the viewer's project or raises
Http404. The thread pages call ``subject_for`` and never learn what an item or a finding is.
"""

from dataclasses import dataclass

from django.http import Http404

_finders = {}


@dataclass(frozen=True)
class Subject:
    kind: str
    pk: int
    project: object
    label: str
    url: str
    area_key: str = ""
    area_label: str = ""
    # Who answers for the subject (an item's owner, whoever raised a finding): they may
    # resolve its questions.
    owner_id: int | None = None

    @property
    def dom_id(self):
        return f"questions-{self.kind}-{self.pk}"


def register_subject(kind, finder):
    _finders[kind] = finder


def subject_for(access, kind, pk):
    """The subject ``kind`` #``pk`` in the viewer's project, else 404."""
    finder = _finders.get(kind)
    if finder is None:
        raise Http404("No such subject.")
    return finder(access, pk)


def subject_of_thread(access, thread):
    """The thread's subject now, or as it was copied when the question was asked (when the
    subject is gone)."""
    try:
        return subject_for(access, thread.subject_kind, thread.subject_id)
    except Http404:
        return Subject(
            kind=thread.subject_kind, pk=thread.subject_id, project=access.project,
            label=thread.subject_label, url=thread.subject_url,
            area_key=thread.area_key, area_label=thread.area_label,
        )  # fmt: skip
