"""The one way a project page learns who is looking: ``@project_view``."""

from functools import wraps

from projects.selectors import project_access_for_user


def project_view(view):
    """Resolve the URL's ``project_pk`` into the viewer's ProjectAccess, once per request.

    The view receives it as its second argument instead of the key (a non-member gets a
    404 before the view runs); templates find it as ``access`` through the
    ``projects.context_processors.project_access`` context processor.
    """

    @wraps(view)
    def wrapper(request, project_pk, *args, **kwargs):
        access = project_access_for_user(request.user, project_pk)
        request.project_access = access
        return view(request, access, *args, **kwargs)

    return wrapper
