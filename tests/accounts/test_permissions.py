"""Each permission predicate x each role x member / non-member."""

import pytest

from accounts import permissions
from accounts.models import Role

# predicate -> roles that are allowed; every other role and non-members are denied.
PROJECT_PREDICATES = {
    "can_view_project": set(Role.values),
    "can_edit_project": {Role.FACILITATOR, Role.PROJECT_MANAGER},
    "can_manage_members": {Role.PROJECT_MANAGER},
}


@pytest.mark.parametrize("predicate", sorted(PROJECT_PREDICATES))
@pytest.mark.parametrize("role", Role.values)
def test_project_predicate_by_role(project, members, predicate, role):
    allowed = getattr(permissions, predicate)(members[role], project)
    assert allowed is (role in PROJECT_PREDICATES[predicate])


@pytest.mark.parametrize("predicate", sorted(PROJECT_PREDICATES))
def test_project_predicate_denies_non_member(project, members, outsider, predicate):
    assert getattr(permissions, predicate)(outsider, project) is False


@pytest.mark.parametrize("predicate", sorted(PROJECT_PREDICATES))
def test_project_predicate_denies_anonymous(project, predicate):
    from django.contrib.auth.models import AnonymousUser

    assert getattr(permissions, predicate)(AnonymousUser(), project) is False


def test_project_role_is_looked_up_once_per_project_and_user(
    project, members, django_assert_num_queries
):
    user = members[Role.APPROVER]
    with django_assert_num_queries(1):
        for predicate in PROJECT_PREDICATES:
            getattr(permissions, predicate)(user, project)


def test_staff_without_membership_is_not_a_member(project, members):
    from tests.factories import UserFactory

    staff = UserFactory(is_staff=True, is_superuser=True)
    assert permissions.can_view_project(staff, project) is False
