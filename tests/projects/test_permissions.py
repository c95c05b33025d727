"""Each permission predicate x each role x member / non-member, and the one access lookup."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from projects import permissions
from projects.models import Role
from projects.selectors import project_access, project_access_for_user
from tests.factories import UserFactory

# predicate -> roles that are allowed; every other role and non-members are denied.
PROJECT_PREDICATES = {
    "can_view_project": set(Role.values),
    "can_edit_project": {Role.FACILITATOR, Role.PROJECT_MANAGER},
    "can_manage_members": {Role.PROJECT_MANAGER},
    "can_create_review": {Role.FACILITATOR, Role.PROJECT_MANAGER},
    "can_manage_workshop": {Role.FACILITATOR, Role.PROJECT_MANAGER},
    "can_raise_risk": {Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR},
    "can_reassign_action": {Role.FACILITATOR, Role.PROJECT_MANAGER},
    "can_record_decision": {Role.FACILITATOR, Role.PROJECT_MANAGER},
    "can_vote": {Role.APPROVER},
    "can_request_summary": {Role.FACILITATOR, Role.PROJECT_MANAGER},
}


@pytest.mark.parametrize("predicate", sorted(PROJECT_PREDICATES))
@pytest.mark.parametrize("role", Role.values)
def test_project_predicate_by_role(project, members, predicate, role):
    access = project_access(user=members[role], project=project)
    assert getattr(permissions, predicate)(access) is (role in PROJECT_PREDICATES[predicate])


@pytest.mark.parametrize("predicate", sorted(PROJECT_PREDICATES))
def test_project_predicate_denies_non_member(project, members, outsider, predicate):
    access = project_access(user=outsider, project=project)
    assert access.role is None
    assert getattr(permissions, predicate)(access) is False


def test_access_lookup_is_one_query_for_the_membership_and_its_project(
    project, members, django_assert_num_queries
):
    with django_assert_num_queries(1):
        access = project_access_for_user(members[Role.APPROVER], project.pk)
        assert access.project.name == project.name
        assert access.role_label == "Approver"
        for predicate in PROJECT_PREDICATES:
            getattr(permissions, predicate)(access)


def test_access_lookup_is_a_404_for_outsiders_staff_and_anonymous(project, members, outsider):
    staff = UserFactory(is_staff=True, is_superuser=True)
    for user in (outsider, staff, AnonymousUser()):
        with pytest.raises(Http404):
            project_access_for_user(user, project.pk)


def test_project_manager_signs_as_project_manager_by_office(project, members):
    manager = project_access(user=members[Role.PROJECT_MANAGER], project=project)
    contributor = project_access(user=members[Role.CONTRIBUTOR], project=project)
    assert "project_manager" in manager.signs_as
    assert "project_manager" not in contributor.signs_as
