def project_access(request):
    """``access``: the viewer's ProjectAccess on project pages (set by ``@project_view``),
    and ``project``, its project, for the navigation bar and the page."""
    access = getattr(request, "project_access", None)
    if access is None:
        return {}
    return {"access": access, "project": access.project}
