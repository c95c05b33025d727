"""Pages of the risks app, one module per page group.

Every project-scoped view fetches the project through ``project_get_for_user``
first, so a non-member gets a 404 before anything else happens.
"""
