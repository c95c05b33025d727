"""Who may do what: plain predicates, one place, deny by default.

Every predicate takes the acting user first and the object second and returns a
bool. Views fetch objects through selectors scoped to the user (a foreign
project is a 404 before any predicate runs); predicates then decide what a
member may do. Templates call them through the ``can`` tag in
``accounts/templatetags/permissions.py``.

The user's role in a project is looked up once per (project, user) and kept on
the project instance, so checking many predicates on one page costs at most
one query; selectors that already know the role store it with ``remember_role``.
"""

from accounts.models import Membership, Role

EDITORS = frozenset({Role.FACILITATOR, Role.PROJECT_MANAGER})
CONTRIBUTORS = frozenset({Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR})


def remember_role(project, user, role):
    project.__dict__.setdefault("_role_cache", {})[user.pk] = role


def project_role(user, project):
    """The user's role in the project, or None when they are not a member."""
    if user is None or not user.is_authenticated or project is None or project.pk is None:
        return None
    cache = project.__dict__.setdefault("_role_cache", {})
    if user.pk not in cache:
        cache[user.pk] = (
            Membership.objects.filter(project=project, user=user)
            .values_list("role", flat=True)
            .first()
        )
    return cache[user.pk]


def _has_role(user, project, roles):
    return project_role(user, project) in roles


# --- Projects and members ---------------------------------------------------


def can_view_project(user, project):
    return project_role(user, project) is not None


def can_edit_project(user, project):
    return _has_role(user, project, EDITORS)


def can_manage_members(user, project):
    return _has_role(user, project, {Role.PROJECT_MANAGER})


def can_create_project(user):
    return user.is_authenticated and user.is_active


# --- Reviews, items and sign-offs --------------------------------------------


def can_create_review(user, project):
    return _has_role(user, project, EDITORS)


def can_edit_review(user, review):
    return _has_role(user, review.project, EDITORS)


def can_edit_item(user, item):
    """Facilitators and project managers edit any item; contributors the items they own."""
    project = item.review.project
    if _has_role(user, project, EDITORS):
        return True
    return _has_role(user, project, CONTRIBUTORS) and item.owner_id == user.pk


def can_view_evidence(user, evidence):
    return can_view_project(user, evidence.item.review.project)


def signoff_roles_of(user, project):
    """Stakeholder roles the member holds in the project (for sign-off eligibility)."""
    cache = project.__dict__.setdefault("_signoff_roles_cache", {})
    if user.pk not in cache:
        roles = (
            Membership.objects.filter(project=project, user=user)
            .values_list("signoff_roles", flat=True)
            .first()
        )
        cache[user.pk] = frozenset(roles or ())
    return cache[user.pk]


def eligible_signoff_roles(user, item):
    """The item's required sign-off roles this user may fill.

    Approvers may fill any; other members (not viewers) only the stakeholder roles
    they hold in the project; the project manager holds "project_manager" by office.
    """
    project = item.review.project
    role = project_role(user, project)
    required = set(item.signoff_roles or [""])
    if role is None or role == Role.VIEWER:
        return set()
    if role == Role.APPROVER:
        return required
    held = set(signoff_roles_of(user, project))
    if role == Role.PROJECT_MANAGER:
        held.add("project_manager")
    return held & required


def can_sign_off(user, item):
    return bool(eligible_signoff_roles(user, item))


# --- Risks and mitigation actions --------------------------------------------
#
# A predicate on a risk reads ``risk.project`` and one on an action reads
# ``action.risk.project``: views fetch them under the project they already
# checked, so the role lookup stays cached on that one project instance.

RISK_ACCEPTORS = frozenset({Role.APPROVER, Role.PROJECT_MANAGER})


def can_raise_risk(user, project):
    """Members raise findings; viewers only read."""
    return _has_role(user, project, CONTRIBUTORS)


def can_edit_risk(user, risk):
    """Facilitators and project managers edit any finding; other contributors their own."""
    role = project_role(user, risk.project)
    if role in EDITORS:
        return True
    return role in CONTRIBUTORS and risk.raised_by_id == user.pk


def can_accept_risk(user, risk):
    """Approvers and project managers accept risks and issues, never one they raised."""
    return (
        _has_role(user, risk.project, RISK_ACCEPTORS)
        and risk.raised_by_id != user.pk
        and risk.type != "assertion"
    )


def can_add_action(user, risk):
    return can_edit_risk(user, risk)


def can_update_action(user, action):
    """The owner (while a member), the facilitator and the project manager: status and notes."""
    role = project_role(user, action.risk.project)
    if role in EDITORS:
        return True
    return role is not None and action.owner_id == user.pk


def can_edit_action(user, action):
    """Description and due date: whoever may edit the finding."""
    return can_edit_risk(user, action.risk)


def can_reassign_action(user, project):
    return _has_role(user, project, EDITORS)


# --- Workshops and decisions -------------------------------------------------


def can_manage_workshop(user, review):
    return _has_role(user, review.project, EDITORS)


def can_record_decision(user, review):
    return _has_role(user, review.project, EDITORS)


def can_vote(user, review):
    return _has_role(user, review.project, {Role.APPROVER})


# --- Summary PDFs --------------------------------------------------------------


def can_request_summary(user, review):
    return _has_role(user, review.project, EDITORS)


def can_send_summary(user, review):
    return _has_role(user, review.project, EDITORS)


def can_download_summary(user, report):
    return can_view_project(user, report.review.project)
