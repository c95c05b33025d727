"""The risk register page and the register and actions exports."""

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from projects import permissions
from projects.decorators import project_view
from risks import exports, selectors
from risks.forms import RegisterFilterForm
from risks.row_cache import attach_filter_fields, attach_register_rows

REGISTER_PAGE_SIZE = 50


def _query(request, **changes):
    """The current query string with some parameters changed (None drops one)."""
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in changes.items():
        params.pop(name, None)
        if value is not None:
            params[name] = value
    encoded = params.urlencode()
    return f"?{encoded}" if encoded else "?"


def _register_filters(request, project):
    form = RegisterFilterForm(
        request.GET or None, **selectors.register_filter_choices(project), auto_id="filter-%s"
    )
    return form, form.filters()


def _sort_links(request, current):
    links = {}
    for name in selectors.REGISTER_SORTS:
        if current == name:
            links[name] = {"url": _query(request, sort=f"-{name}"), "direction": "ascending"}
        elif current == f"-{name}":
            links[name] = {"url": _query(request, sort=name), "direction": "descending"}
        else:
            links[name] = {"url": _query(request, sort=name), "direction": None}
    return links


@require_http_methods(["GET"])
@project_view
def register(request, access):
    project = access.project
    form, filters = _register_filters(request, project)
    _, sort = selectors.register_order(request.GET.get("sort"))
    page = selectors.register_page(
        project, filters, sort, request.GET.get("page"), REGISTER_PAGE_SIZE
    )
    attach_register_rows(page.object_list)
    cell = (filters.get("likelihood"), filters.get("impact"))

    def cell_url(likelihood, impact):
        if cell == (likelihood, impact):
            return _query(request, likelihood=None, impact=None)  # a second click clears it
        return _query(request, likelihood=str(likelihood), impact=str(impact))

    heatmap = selectors.heatmap(
        selectors.register_queryset(project, filters, cell=False),
        cell_url=cell_url,
        selected=cell if all(cell) else None,
        title="Heat map of the findings listed",
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": attach_filter_fields(form),
        "filters": filters,
        "page": page,
        "heatmap": heatmap,
        "sort": sort,
        "sort_links": _sort_links(request, sort),
        "query": query.urlencode(),
        "can_raise": permissions.can_raise_risk(access),
    }
    return render(request, "risks/register.html", context)


@require_http_methods(["GET"])
@project_view
def register_export(request, access, file_format):
    project = access.project
    _, filters = _register_filters(request, project)
    risks = selectors.register_rows(project, filters, request.GET.get("sort"), export=True)
    headers, rows = exports.table(selectors.attach_actions(risks), exports.REGISTER_COLUMNS)
    name = exports.filename(project, "risks", file_format)
    if file_format == "xlsx":
        return exports.xlsx_response(name, headers, rows, sheet_title="Risk register")
    return exports.csv_response(name, headers, rows)


@require_http_methods(["GET"])
@project_view
def actions_export(request, access, file_format):
    project = access.project
    _, filters = _register_filters(request, project)
    headers, rows = exports.table(
        selectors.actions_export_rows(project, filters), exports.ACTION_COLUMNS
    )
    name = exports.filename(project, "actions", file_format)
    if file_format == "xlsx":
        return exports.xlsx_response(name, headers, rows, sheet_title="Mitigation actions")
    return exports.csv_response(name, headers, rows)
