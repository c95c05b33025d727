"""What every API view shares: the caller's access to the URL's project, resolved once."""

from django.core.exceptions import PermissionDenied
from rest_framework import generics
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from projects.selectors import project_access_for_user


class ProjectScoped:
    """Resolves ``project_pk`` into ``self.access`` (a ProjectAccess) after authentication;
    a project the caller is not a member of is a 404, like on the pages."""

    access = None

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access = project_access_for_user(request.user, kwargs["project_pk"])


class ProjectList(ProjectScoped, generics.ListAPIView):
    """A paginated list of one project's objects; ``decorate`` fills in one page's rows
    (a fixed number of queries whatever the page size)."""

    def decorate(self, rows):
        return rows

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        rows = self.decorate(list(page))
        return self.get_paginated_response(self.get_serializer(rows, many=True).data)


def require(allowed, message):
    """Refuse with a 403 that says why (the pages' predicate said no)."""
    if not allowed:
        raise PermissionDenied(message)


def valid(serializer_class, request, **context):
    serializer = serializer_class(data=request.data, context={"request": request, **context})
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def filters_from(form):
    """The cleaned values of a page's filter form bound to the query string; a value the
    page would drop is a 400 here, naming the parameter. A page sends an empty value for
    "any"; the API leaves the parameter out instead."""
    empty = {name: ["Leave the parameter out for any value."] for name in form.fields
             if name in form.data and form.data.get(name) == ""}  # fmt: skip
    if empty or not form.is_valid():
        raise ValidationError({**{n: list(e) for n, e in form.errors.items()}, **empty})
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}


def created(data):
    return Response(data, status=201)
