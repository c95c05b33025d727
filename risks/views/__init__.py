"""Pages of the risks app, one module per page group.

Every project-scoped view is wrapped in ``@project_view``, so a non-member gets a 404
before anything else happens and the view receives the viewer's ProjectAccess.
"""
