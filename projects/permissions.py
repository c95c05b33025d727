"""Who may do what: plain predicates, one place, deny by default.

Every predicate takes the viewer's ``ProjectAccess`` first (and the object second
where the answer depends on it) and returns a bool. A request looks the access up
once (``projects.selectors.project_access_for_user``: one query for the membership
and its project; a 404 for anyone who is not a member), views hand it to the
predicates, and templates reach them through ``{% can %}``
(``projects/templatetags/permissions.py``). Services look the acting user's access
up themselves, so a task or a command gets the same answer as a page.

Predicates read objects of the apps above (items, findings, decisions) only through
their fields, never by importing them.
"""

from dataclasses import dataclass, field

from projects.models import Role, SignoffRole

EDITORS = frozenset({Role.FACILITATOR, Role.PROJECT_MANAGER})
# Viewers only read; every other member may sign off the stakeholder roles they hold.
SIGNERS = frozenset({Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR})
CONTRIBUTORS = frozenset({Role.FACILITATOR, Role.PROJECT_MANAGER, Role.APPROVER, Role.CONTRIBUTOR})
RISK_ACCEPTORS = frozenset({Role.APPROVER, Role.PROJECT_MANAGER})


@dataclass(frozen=True)
class ProjectAccess:
    """One person's standing in one project: their role and the stakeholder roles they hold.

    ``role`` is None for someone who is not a member (they may do nothing).
    """

    user: object
    project: object
    role: str | None = None
    stakeholder_roles: frozenset = field(default_factory=frozenset)

    @classmethod
    def of(cls, membership, *, project):
        """The access a Membership row gives its user in ``project`` (already loaded, or
        None where no predicate asked needs it)."""
        return cls(
            user=membership.user,
            project=project,
            role=membership.role,
            stakeholder_roles=frozenset(membership.signoff_roles or ()),
        )

    @property
    def is_member(self):
        return self.role is not None

    @property
    def role_label(self):
        return Role(self.role).label if self.role else ""

    @property
    def signs_as(self):
        """Stakeholder roles this person signs as; the project manager holds theirs by office."""
        if self.role == Role.PROJECT_MANAGER:
            return self.stakeholder_roles | {SignoffRole.PROJECT_MANAGER}
        return self.stakeholder_roles


def _is(access, roles):
    return access.role in roles


# --- Projects and members ---------------------------------------------------


def can_view_project(access):
    return access.is_member


def can_edit_project(access):
    return _is(access, EDITORS)


def can_manage_members(access):
    return access.role == Role.PROJECT_MANAGER


def can_manage_webhooks(access):
    """Configure the project's outgoing webhooks and read their secrets: the project manager."""
    return access.role == Role.PROJECT_MANAGER


# --- Reviews, items, sign-offs and workshops ----------------------------------


def can_create_review(access):
    return _is(access, EDITORS)


def can_edit_review(access):
    return _is(access, EDITORS)


def can_edit_item(access, item):
    """Facilitators and project managers edit any item; contributors the items they own."""
    if _is(access, EDITORS):
        return True
    return _is(access, CONTRIBUTORS) and item.owner_id == access.user.pk


def signoff_roles_held(access):
    """The stakeholder roles this person signs as (none for a viewer or an outsider)."""
    if access.role not in SIGNERS:
        return frozenset()
    return access.signs_as


def signs_unnamed_items(access):
    """An item that names no stakeholder role is signed off by any approver."""
    return access.role == Role.APPROVER


def eligible_signoff_roles(access, item):
    """The item's required sign-off roles this person may fill: the stakeholder roles they
    hold in the project, and for an approver the slot of an item that names none ("")."""
    required = set(item.signoff_roles or [""])
    held = set(signoff_roles_held(access))
    if signs_unnamed_items(access):
        held.add("")
    return held & required


def can_sign_off(access, item):
    return bool(eligible_signoff_roles(access, item))


def can_manage_workshop(access):
    return _is(access, EDITORS)


# --- Findings and mitigation actions ------------------------------------------


def can_raise_risk(access):
    """Members raise findings; viewers only read."""
    return _is(access, CONTRIBUTORS)


def can_edit_risk(access, risk):
    """Facilitators and project managers edit any finding; other contributors their own."""
    if _is(access, EDITORS):
        return True
    return _is(access, CONTRIBUTORS) and risk.raised_by_id == access.user.pk


def is_risk_acceptor(access):
    """Approvers and project managers accept risks (see ``can_accept_risk`` for one finding)."""
    return _is(access, RISK_ACCEPTORS)


def can_accept_risk(access, risk):
    """Approvers and project managers accept risks and issues, never one they raised."""
    return is_risk_acceptor(access) and risk.raised_by_id != access.user.pk and risk.is_rated


def can_add_action(access, risk):
    return can_edit_risk(access, risk)


def can_update_action(access, action):
    """The owner (while a member), the facilitator and the project manager: status and notes."""
    if _is(access, EDITORS):
        return True
    return access.is_member and action.owner_id == access.user.pk


def can_edit_action(access, action):
    """Description and due date: whoever may edit the finding."""
    return can_edit_risk(access, action.risk)


def can_reassign_action(access):
    return _is(access, EDITORS)


# --- Go / no-go ---------------------------------------------------------------


def can_record_decision(access):
    return _is(access, EDITORS)


def can_override_decision(access):
    """A go against a gate that is not clear, or votes that do not meet the rule."""
    return access.role == Role.PROJECT_MANAGER


def can_vote(access):
    return access.role == Role.APPROVER


def can_meet_condition(access, condition):
    """A condition's owner marks it met; so may whoever records decisions."""
    return can_record_decision(access) or (
        access.is_member and condition.owner_id == access.user.pk
    )


def can_manage_gate_criteria(access):
    """Switch the built-in go / no-go criteria on or off, add, edit and remove the team's
    own: the project manager. Every member reads them on the gate."""
    return access.role == Role.PROJECT_MANAGER


ATTESTERS = frozenset({Role.PROJECT_MANAGER, Role.FACILITATOR, Role.APPROVER})


def can_attest_gate_criterion(access):
    """Type in the value of an attested criterion, with evidence: the project manager, the
    facilitator and the approvers (who answer for the decision)."""
    return _is(access, ATTESTERS)


# --- Summary PDFs ---------------------------------------------------------------


def can_request_summary(access):
    return _is(access, EDITORS)


def can_send_summary(access):
    return _is(access, EDITORS)


def can_download_summary(access):
    return access.is_member


# --- Cutover plan -----------------------------------------------------------------


def can_view_cutover(access):
    return access.is_member


def can_edit_cutover_plan(access):
    """The project manager, and members who hold the cutover manager's stakeholder role."""
    if access.role == Role.PROJECT_MANAGER:
        return True
    return SignoffRole.CUTOVER_MANAGER in signoff_roles_held(access)


def can_edit_step_notes(access, step):
    """A step's instructions and verification: whoever edits the plan, and the step's owner
    or backup owner (while a member)."""
    if can_edit_cutover_plan(access):
        return True
    return access.is_member and access.user.pk in (step.owner_id, step.backup_owner_id)


def plan_signoff_roles_eligible(access, plan):
    """The plan's required sign-off roles this person holds."""
    return signoff_roles_held(access) & set(plan.signoff_roles or ())


def can_sign_off_plan(access, plan):
    return bool(plan_signoff_roles_eligible(access, plan))


# --- Cutover runs (rehearsals and the live cutover) -----------------------------------


def can_run_cutover(access):
    """Start, finish or abandon a rehearsal or the live cutover: whoever edits the plan."""
    return can_edit_cutover_plan(access)


def can_record_step(access, step):
    """Mark a step started, done, failed or skipped, correct its times, raise a finding from
    it: whoever edits the plan, and the step's owner or backup owner (while a member)."""
    return can_edit_step_notes(access, step)


# --- The live cutover board and its checkpoints ---------------------------------------


def can_start_live_cutover(access):
    """Whoever edits the plan starts the live cutover (of a signed-off version)."""
    return can_edit_cutover_plan(access)


def checkpoint_approver_ids(step):
    """Ids of a checkpoint's approvers: ``step.approver_ids`` where the caller loaded them
    (the board, for every checkpoint in one query), else the step's prefetched approvers."""
    loaded = getattr(step, "approver_ids", None)
    if loaded is not None:
        return loaded
    return {user.pk for user in step.checkpoint_approvers.all()}


def can_vote_checkpoint(access, step):
    """A checkpoint's approvers vote go on or roll back, while members who do more than
    watch (a viewer named as an approver still only reads)."""
    if not step.is_checkpoint or access.role not in CONTRIBUTORS:
        return False
    return access.user.pk in checkpoint_approver_ids(step)


# --- Support plan and hypercare ---------------------------------------------------------


def can_view_support(access):
    return access.is_member


def can_edit_support_plan(access):
    """The project manager, the facilitator, and members holding the cutover manager's or
    the support lead's stakeholder role."""
    if _is(access, EDITORS):
        return True
    held = signoff_roles_held(access)
    return SignoffRole.CUTOVER_MANAGER in held or SignoffRole.SUPPORT_LEAD in held


def support_signoff_roles_eligible(access, plan):
    """The support plan's required sign-off roles this person holds."""
    return signoff_roles_held(access) & set(plan.signoff_roles or ())


def can_sign_off_support_plan(access, plan):
    return bool(support_signoff_roles_eligible(access, plan))


def can_run_hypercare(access):
    """Start and close hypercare (the project's phase moves): the project manager."""
    return access.role == Role.PROJECT_MANAGER


def can_log_check_in(access):
    """The daily hypercare check-in: whoever edits the support plan."""
    return can_edit_support_plan(access)


def can_update_exit_criterion(access, criterion):
    """An exit criterion's status: whoever edits the plan, and its owner (while a member)."""
    if can_edit_support_plan(access):
        return True
    return access.role in CONTRIBUTORS and criterion.owner_id == access.user.pk
