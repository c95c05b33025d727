"""Walk every URL pattern of the site, with ids filled from a given set of objects."""

from django.urls import URLPattern, URLResolver, get_resolver

# Patterns that anyone may open without logging in.
PUBLIC_URL_NAMES = {
    "login",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "health",
    "projects:invitation",  # the invited person may not have an account yet
    "api:not_found",  # any other address under /api/: the same JSON 404 for everyone
    # Single sign-on's start and callback (404 while it is not configured), and the admin's
    # log-in, which sends to the log-in page.
    "oidc_start",
    "oidc_callback",
    "admin_login",
}
# Of those, the ones that are not a page of their own at a plain GET (a link's token, a
# redirect, or 404 while single sign-on is off).
PUBLIC_URL_NAMES_NOT_PAGES = {
    "password_reset_confirm",
    "projects:invitation",
    "api:not_found",
    "oidc_start",
    "oidc_callback",
    "admin_login",
}


def iter_patterns(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin/"):
                continue  # the Django admin has its own staff login
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from iter_patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield namespace + (entry.name or ""), prefix + str(entry.pattern), entry


def kwarg_names(route):
    import re

    return re.findall(r"<(?:\w+:)?(\w+)>", route)


def fill(route, values):
    """The concrete path for a route, or KeyError naming a kwarg the test does not know."""
    import re

    def replace(match):
        name = match.group(1)
        if name not in values:
            raise KeyError(f"URL kwarg {name!r} in {route!r} has no test value; add it to the walk")
        return str(values[name])

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", replace, route)
