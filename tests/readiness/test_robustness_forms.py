"""Random form data posted to every view that takes a POST: never a server error.

Field names come from what the site itself renders (every ``name=`` of the project's
pages) plus the fields of every form class; values mix what the pages offer (option
values, ids) with malformed ones (bad dates, huge numbers, NUL bytes, long text, files
with odd names). Each example posts as a random member of the project, with or without
``HX-Request``. A response may refuse (4xx) or succeed; a 500 or an exception fails.
"""

import os
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from projects.models import Role
from tests.urlwalk import fill, iter_patterns, kwarg_names
from tests.worlds import project_world

# FUZZ_EXAMPLES=500 for a deeper hunt than the suite's default.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "40")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Every view that takes a POST (test_every_post_view_is_fuzzed keeps this list complete).
FORM_VIEWS = [
    "projects:member_invite",
    "projects:member_change_role",
    "projects:member_remove",
    "projects:member_stakeholder_roles",
    "accounts:profile",
    "accounts:token_create",
    "accounts:token_revoke",
    "accounts:two_step_setup",
    "accounts:two_step_confirm",
    "accounts:recovery_codes_new",
    "accounts:two_step_off",
    "password_change",
    "decisions:condition_met",
    "decisions:decision_open",
    "decisions:decision_record",
    "decisions:decision_vote",
    "decisions:criterion_add",
    "decisions:criterion_attest",
    "decisions:criterion_builtin",
    "decisions:criterion_edit",
    "decisions:criterion_move",
    "decisions:criterion_remove",
    "reviews:evidence_add",
    "reviews:evidence_remove",
    "reviews:item_detail",
    "reviews:item_edit",
    "reviews:item_sign_off",
    "reviews:item_confirm",
    "projects:project_create",
    "projects:project_edit",
    "reviews:review_create",
    "reviews:review_edit",
    "summaries:summary_request",
    "summaries:summary_send",
    "reviews:workshop_attendance",
    "discussions:ask",
    "discussions:reply",
    "discussions:edit",
    "discussions:withdraw",
    "discussions:resolve",
    "discussions:reopen",
    "reviews:workshop_create",
    "reviews:workshop_edit",
    "reviews:workshop_cancel",
    "reviews:workshop_minutes",
    "reviews:workshop_mode_save",
    "reviews:workshop_mode_confirm",
    "risks:action_create",
    "risks:action_edit",
    "risks:action_status",
    "risks:actions_reassign",
    "risks:quick_add",
    "risks:risk_accept",
    "risks:risk_create",
    "risks:risk_edit",
    "cutover:plan_create",
    "cutover:plan_settings",
    "cutover:sign_off",
    "cutover:sign_off_revoke",
    "cutover:typical_steps",
    "cutover:import",
    "cutover:step_add",
    "cutover:step_edit",
    "cutover:step_delete",
    "cutover:step_move",
    "cutover:run_start",
    "cutover:rehearsal_plan",
    "cutover:rehearsal_edit",
    "cutover:rehearsal_cancel",
    "cutover:run_finish",
    "cutover:run_abandon",
    "cutover:step_mark",
    "cutover:step_finding",
    "cutover:event_correct",
    "cutover:checkpoint_vote",
    "support:plan_create",
    "support:plan_settings",
    "support:sign_off",
    "support:sign_off_revoke",
    "support:line_add",
    "support:line_edit",
    "support:line_delete",
    "support:contact_add",
    "support:contact_delete",
    "support:escalation_add",
    "support:escalation_delete",
    "support:kt_add",
    "support:kt_edit",
    "support:hypercare_start",
    "support:hypercare_close",
    "support:criterion_add",
    "support:criterion_status",
    "support:check_in",
    "notifications:read",
    "notifications:preferences",
    "webhooks:add",
    "webhooks:detail",
    "webhooks:disable",
]
# Forms anyone can post without logging in.
PUBLIC_FORM_VIEWS = ["login", "login_code", "password_reset", "projects:invitation"]
# Take a POST but have no form to fuzz: logout ends the session the fuzzing runs in, the
# liveness probe answers any method, and a reset link without a real token only says that
# the link is invalid.
# Resending and revoking an invitation, starting the live cutover, and a webhook's rotate,
# enable, test and delete are buttons without a form.
NOT_FUZZED = {
    "logout", "health", "password_reset_confirm", "projects:invitation_resend",
    "projects:invitation_revoke", "cutover:live_start", "webhooks:rotate", "webhooks:enable",
    "webhooks:test", "webhooks:delete",
    # GET only (single sign-on's start and callback, the admin's log-in link): no form.
    "oidc_start", "oidc_callback", "admin_login",
}  # fmt: skip

ROUTES = {name: route for name, route, _ in iter_patterns()}
# The API takes JSON, not forms: Schemathesis fuzzes it against its schema (tests/api).
NOT_FUZZED |= {name for name in ROUTES if name.startswith("api:")}
NAME_ATTRIBUTE = re.compile(r'\bname="([^"]+)"')
VALUE_ATTRIBUTE = re.compile(r'<option[^>]*\bvalue="([^"]*)"')


def _form_field_names():
    """Fields of every form class of the apps (prefixes added where the views use one)."""
    from django import forms as django_forms

    import accounts.forms
    import cutover.forms
    import cutover.forms_runs
    import decisions.forms_criteria
    import discussions.forms
    import reviews.forms
    import risks.forms
    import support.forms

    names = set()
    modules = (
        accounts.forms, reviews.forms, risks.forms, cutover.forms, cutover.forms_runs,
        decisions.forms_criteria, support.forms, discussions.forms,
    )  # fmt: skip
    for module in modules:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, django_forms.BaseForm):
                names |= set(getattr(value, "base_fields", {}))
    # The criteria page's forms carry a prefix, and its buttons a hidden key, kind or direction.
    for prefix, form in (
        ("threshold", decisions.forms_criteria.ThresholdCriterionForm),
        ("attested", decisions.forms_criteria.AttestedCriterionForm),
    ):
        names |= {f"{prefix}-{name}" for name in form.base_fields}
    names |= {"key", "kind", "direction", "workshop"}
    # The notification settings have one field per kind; mark read names one notification.
    from notifications.models import Kind

    names |= {*Kind.values, "id"}
    names |= {f"action-{name}" for name in ("description", "owner", "due_date")}
    for index in range(2):
        names |= {f"condition-{index}-{name}" for name in ("description", "owner", "due_date")}
    names |= {f"condition-{name}" for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MAX_NUM_FORMS")}
    return names


def _harvest(client, ids):
    """Names and option values the pages render, for a world seen by its project manager."""
    pages = [
        "projects:project_edit", "reviews:review_create", "reviews:item_detail",
        "reviews:workshop_create", "reviews:workshop_detail", "decisions:decision",
        "projects:members", "risks:risk_create", "risks:risk_detail", "risks:action_edit",
        "risks:quick_add", "password_change", "cutover:plan_settings", "cutover:step_edit",
        "cutover:run", "cutover:event_correct", "cutover:step_finding", "support:plan",
        "support:plan_settings", "support:line_edit", "support:kt_edit", "support:hypercare",
    ]  # fmt: skip
    names, values = set(), set()
    for name in pages:
        html = client.get(fill(ROUTES[name], ids)).content.decode()
        names |= set(NAME_ATTRIBUTE.findall(html))
        values |= set(VALUE_ATTRIBUTE.findall(html))
    return names, values


MALFORMED = [
    "", " ", "0", "-1", "1.5", "1e400", "99999999999999999999999", "NaN", "None", "null",
    "true", "on", "2026-02-30", "0001-01-01", "9999-12-31", "31/12/2026", "2026-1-1",
    "2026-06-01T25:61", "<script>alert(1)</script>", "' OR 1=1 --", "\x00", "a\x00b",
    "é€𝄞", "x" * 5000, "../../etc/passwd", "javascript:alert(1)", "//evil.example.com/",
    "https://evil.example.com/", "approve", "reject", "go", "no_go", "conditional_go",
]  # fmt: skip
FILE_NAMES = ["report.pdf", "tool.exe", ".pdf", "a" * 300 + ".txt", "../../x.txt", "ü.csv"]


def _uploads():
    return st.builds(
        SimpleUploadedFile,
        name=st.sampled_from(FILE_NAMES),
        content=st.binary(max_size=300) | st.just(b"%PDF-1.4 fuzz"),
    )


@st.composite
def form_posts(draw, names, values, ids):
    """A POST body: some known field names (and a stray one), each with one or more values."""
    id_values = [str(pk) for pk in ids.values()]
    value = st.sampled_from(sorted(values) + id_values + MALFORMED) | st.text(max_size=60)
    keys = draw(st.lists(st.sampled_from(sorted(names)), max_size=8, unique=True))
    keys += draw(st.lists(st.text(min_size=1, max_size=12), max_size=1))
    body = {}
    for key in keys:
        if key == "file":
            body[key] = draw(_uploads())
        else:
            body[key] = draw(st.lists(value, min_size=1, max_size=3))
    return body


# Found by this file: a ``next`` that is not a path ("1", "x") used to pass the views'
# same-host check and reach redirect(), which read it as a view name (NoReverseMatch, 500).
# core.http.safe_next_url now takes only absolute paths; these cases pin that.
NEXT_IS_NOT_A_PATH = {
    "risks:actions_reassign": (
        Role.PROJECT_MANAGER, lambda ids, people: {"actions": ids["action_pk"],
                                                    "owner": people[Role.APPROVER].pk},
    ),
    "risks:action_status": (Role.CONTRIBUTOR, lambda ids, people: {"status": "in_progress"}),
    "risks:action_edit": (Role.PROJECT_MANAGER, lambda ids, people: {"description": "Retest"}),
    "reviews:item_sign_off": (
        Role.APPROVER, lambda ids, people: {"decision": "reject", "comment": "Not yet."},
    ),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(NEXT_IS_NOT_A_PATH))
def test_a_next_that_is_not_a_path_is_not_a_server_error(fuzz_world, name):
    role, data = NEXT_IS_NOT_A_PATH[name]
    ids, people = fuzz_world["ids"], fuzz_world["members"]
    client = Client()
    client.force_login(people[role])
    response = client.post(fill(ROUTES[name], ids), {"next": "1", **data(ids, people)})
    assert response.status_code < 500


@pytest.fixture
def fuzz_world(db):
    """One project with an object of every kind, an open vote, and what its pages offer."""
    from decisions.services import decision_open
    from reviews.models import Review

    ids, members = project_world()
    review = Review.objects.get(pk=ids["review_pk"])
    decision_open(review=review, acting_user=members[Role.FACILITATOR])
    client = Client()
    client.force_login(members[Role.PROJECT_MANAGER])
    names, values = _harvest(client, ids)
    return {
        "ids": ids,
        "members": members,
        "names": names | _form_field_names(),
        "values": values,
    }


def _post_must_not_fail(client, path, body, hx):
    headers = {"HTTP_HX_REQUEST": "true"} if hx else {}
    response = client.post(path, body, **headers)
    assert response.status_code < 500, f"POST {path} {body!r} gave {response.status_code}"


@pytest.mark.parametrize("name", FORM_VIEWS)
def test_random_form_data_never_causes_a_server_error(fuzz_world, name):
    world = fuzz_world
    path = fill(ROUTES[name], world["ids"])
    client = Client()

    @FUZZ
    @given(
        body=form_posts(world["names"], world["values"], world["ids"]),
        role=st.sampled_from(Role.values),
        hx=st.booleans(),
    )
    def post_as_a_member(body, role, hx):
        client.force_login(world["members"][role])
        _post_must_not_fail(client, path, body, hx)

    post_as_a_member()


@pytest.mark.parametrize("name", PUBLIC_FORM_VIEWS)
def test_random_data_to_public_forms_never_causes_a_server_error(fuzz_world, name):
    world = fuzz_world
    path = fill(ROUTES[name], world["ids"])

    @FUZZ
    @given(body=form_posts(world["names"], world["values"], world["ids"]), hx=st.booleans())
    def post_anonymously(body, hx):
        _post_must_not_fail(Client(), path, body, hx)

    post_anonymously()


def test_every_post_view_is_fuzzed(fuzz_world):
    """A new view that takes a POST must join FORM_VIEWS (or say why it is left out)."""
    client = Client()
    client.force_login(fuzz_world["members"][Role.PROJECT_MANAGER])
    missed = []
    for name, route, _ in iter_patterns():
        if name in {*FORM_VIEWS, *PUBLIC_FORM_VIEWS, *NOT_FUZZED}:
            continue
        values = fuzz_world["ids"] | {"uidb64": "x", "token": "y"}
        path = fill(route, values) if kwarg_names(route) else "/" + route
        if client.post(path).status_code != 405:
            missed.append(f"{name} ({path})")
    assert not missed, "views that take a POST but are not fuzzed: " + ", ".join(missed)


def test_the_public_forms_fuzzed_are_every_form_open_without_login():
    """The anonymous fuzzing covers every view ``login_not_required`` that takes a form."""
    open_without_login = {
        name
        for name, _, pattern in iter_patterns()
        if getattr(pattern.callback, "login_required", True) is False
    }
    assert open_without_login - NOT_FUZZED - set(PUBLIC_FORM_VIEWS) == {
        "password_reset_done",
        "password_reset_complete",
    }, "a page open without login that is neither fuzzed nor a plain confirmation page"
    assert set(PUBLIC_FORM_VIEWS) <= open_without_login
