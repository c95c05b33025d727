"""Every URL of the risks app x every role, and non-members (404 everywhere)."""

import pytest
from django.urls import reverse

from projects.models import Role
from tests.urlwalk import iter_patterns
from tests.worlds import project_world

F, PM, A, C, V = (
    Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER,
)  # fmt: skip
EVERYONE = set(Role.values)

CONTRIBUTING = {F, PM, A, C}

# name -> (method, kwargs names, POST data (members, ids), roles allowed, status when allowed).
# The world's risk is raised by the facilitator; its action is owned by the contributor.
MATRIX = {
    "register": ("get", ["project_pk"], None, EVERYONE, 200),
    "register_csv": ("get", ["project_pk"], None, EVERYONE, 200),
    "register_xlsx": ("get", ["project_pk"], None, EVERYONE, 200),
    "risk_create": ("get", ["project_pk"], None, CONTRIBUTING, 200),
    "risk_detail": ("get", ["project_pk", "risk_pk"], None, EVERYONE, 200),
    "risk_edit": ("get", ["project_pk", "risk_pk"], None, {F, PM}, 200),
    "risk_accept": (
        "post", ["project_pk", "risk_pk"], lambda m, ids: {"version": 1, "reason": "Low exposure"},
        {A, PM}, 302,
    ),
    "action_create": (
        "post", ["project_pk", "risk_pk"],
        lambda m, ids: {"description": "Another step", "owner": m[Role.APPROVER].pk},
        {F, PM}, 302,
    ),
    "actions_by_owner": ("get", ["project_pk"], None, EVERYONE, 200),
    "actions_csv": ("get", ["project_pk"], None, EVERYONE, 200),
    "actions_xlsx": ("get", ["project_pk"], None, EVERYONE, 200),
    "action_status": ("post", ["project_pk", "action_pk"], lambda m, ids: {"status": "done"}, {F, PM, C}, 302),
    "action_edit": ("get", ["project_pk", "action_pk"], None, {F, PM, C}, 200),
    "actions_reassign": (
        "post", ["project_pk"], lambda m, ids: {"actions": [ids["action_pk"]], "owner": m[Role.APPROVER].pk},
        {F, PM}, 302,
    ),
    "item_findings": ("get", ["project_pk", "item_pk"], None, EVERYONE, 200),
    "blocker_findings": ("get", ["project_pk"], None, EVERYONE, 200),
    "quick_add": ("get", ["project_pk", "item_pk"], None, CONTRIBUTING, 200),
    "my_actions": ("get", [], None, EVERYONE, 200),
}  # fmt: skip


def test_matrix_covers_every_url_of_the_app():
    names = {name.split(":", 1)[1] for name, _, _ in iter_patterns() if name.startswith("risks:")}
    assert names == set(MATRIX)


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("name", sorted(MATRIX))
def test_url_by_role(client, db, name, role):
    method, kwarg_names, data, allowed, ok_status = MATRIX[name]
    ids, members = project_world()
    client.force_login(members[role])
    url = reverse(f"risks:{name}", kwargs={k: ids[k] for k in kwarg_names})
    response = getattr(client, method)(url, data(members, ids) if data else None)
    expected = ok_status if role in allowed else 403
    assert response.status_code == expected, f"{role} {method.upper()} {url}"


@pytest.mark.parametrize("name", sorted(n for n, spec in MATRIX.items() if spec[1]))
def test_non_member_gets_404(client, db, outsider, name):
    method, kwarg_names, data, _, _ = MATRIX[name]
    ids, members = project_world()
    client.force_login(outsider)
    url = reverse(f"risks:{name}", kwargs={k: ids[k] for k in kwarg_names})
    response = getattr(client, method)(url, data(members, ids) if data else None)
    assert response.status_code == 404


def test_ids_of_another_project_are_404_for_a_member(client, db):
    """A member of project B cannot reach project A's risk through B's URL."""
    ids_a, _ = project_world()
    ids_b, members_b = project_world()
    client.force_login(members_b[Role.PROJECT_MANAGER])
    for name, kwargs in (
        ("risk_detail", {"project_pk": ids_b["project_pk"], "risk_pk": ids_a["risk_pk"]}),
        ("action_edit", {"project_pk": ids_b["project_pk"], "action_pk": ids_a["action_pk"]}),
        ("quick_add", {"project_pk": ids_b["project_pk"], "item_pk": ids_a["item_pk"]}),
    ):
        assert client.get(reverse(f"risks:{name}", kwargs=kwargs)).status_code == 404, name
    response = client.post(
        reverse(
            "risks:action_status",
            kwargs={"project_pk": ids_b["project_pk"], "action_pk": ids_a["action_pk"]},
        ),
        {"status": "done"},
    )
    assert response.status_code == 404


@pytest.mark.parametrize("role", Role.values)
def test_risk_predicates_by_role(db, role):
    from projects import permissions
    from projects.selectors import project_access
    from risks.models import MitigationAction, Risk

    ids, members = project_world()
    risk = Risk.objects.select_related("project").get(pk=ids["risk_pk"])
    action = MitigationAction.objects.select_related("risk").get(pk=ids["action_pk"])
    access = project_access(user=members[role], project=risk.project)
    assert permissions.can_raise_risk(access) is (role in CONTRIBUTING)
    assert permissions.can_edit_risk(access, risk) is (role in {F, PM})
    assert permissions.can_accept_risk(access, risk) is (role in {A, PM})
    assert permissions.can_update_action(access, action) is (role in {F, PM, C})
    assert permissions.can_edit_action(access, action) is (role in {F, PM})
    assert permissions.can_reassign_action(access) is (role in {F, PM})
