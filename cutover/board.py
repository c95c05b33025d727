"""What the live board shows about a run: pure, no queries (``cutover.selectors_live`` loads
the rows, the tests hand in their own).

The step statuses, the expected finish and the late steps come from ``cutover.progress``
(the same replay the run sheet and the run report use); this module picks what a
stakeholder watching the cutover needs from it: progress, the running and the late steps,
the expected finish against the window, the next checkpoint and its votes, the point of no
return, and after a roll back the rollback steps instead of the forward plan.

The checkpoint rule, written on the page: a checkpoint goes on when every one of its
approvers votes "go on"; one "roll back" vote rolls the cutover back.
"""

from dataclasses import dataclass, field

from cutover.progress import COMPLETE, FAILED, READY, RUNNING, WAITING, run_state, state_of_run
from cutover.schedule import format_minutes

CHECKPOINT_RULE = (
    "A checkpoint goes on when every approver votes “go on”; a single “roll back” vote "
    "(with its reason) rolls the cutover back."
)
GO_ON = "go_on"
ROLL_BACK = "roll_back"
CHOICE_LABELS = {GO_ON: "Go on", ROLL_BACK: "Roll back"}


def _minutes(delta):
    return int(delta.total_seconds() // 60)


@dataclass
class BoardStep:
    """A step as the board lists it."""

    pk: int
    number: int
    title: str
    owner_id: object
    owner_name: str
    status: str
    since: object = None  # when it started (running)
    planned_start: object = None
    planned_end: object = None
    expected_start: object = None
    late_minutes: int = 0

    @property
    def late_text(self):
        return format_minutes(self.late_minutes)


@dataclass
class Vote:
    voter_id: int
    voter_name: str
    choice: str
    comment: str
    at: object

    @property
    def choice_label(self):
        return CHOICE_LABELS.get(self.choice, self.choice)


@dataclass
class Checkpoint:
    """A checkpoint of the run: reached (its predecessors done) or not, its votes, its
    outcome once decided."""

    step: BoardStep
    criteria: str
    approver_ids: set
    reached: bool
    votes: list = field(default_factory=list)  # standing votes, by name
    awaiting: list = field(default_factory=list)  # names of approvers who have not voted
    outcome: str = ""
    decided_at: object = None
    decided_by: str = ""
    note: str = ""

    # The template asks the permission predicates with the checkpoint in the step's place.
    is_checkpoint = True

    @property
    def pk(self):
        return self.step.pk

    @property
    def is_open(self):
        return self.reached and not self.outcome

    @property
    def outcome_label(self):
        return CHOICE_LABELS.get(self.outcome, "")

    def vote_of(self, user_id):
        return next((vote for vote in self.votes if vote.voter_id == user_id), None)


@dataclass
class PointOfNoReturn:
    label: str  # "step 14 “Open the new system”" or "a set time"
    at: object  # planned (a step: its planned start in this run)
    passed: bool


@dataclass
class Board:
    run: object
    version: object
    now: object
    rolling_back: bool = False
    done: int = 0
    total: int = 0
    running: list = field(default_factory=list)
    late: list = field(default_factory=list)
    failed: list = field(default_factory=list)
    ready: list = field(default_factory=list)  # ready to start, not (yet) late
    expected_finish: object = None
    window_end: object = None
    spare_minutes: int = 0
    buffer_minutes: int = 0
    next_checkpoint: object = None  # Checkpoint
    checkpoints: list = field(default_factory=list)  # reached or decided, in run sheet order
    ponr: object = None
    rollback_steps: list = field(default_factory=list)  # BoardStep, in run sheet order
    roll_back: object = None  # the Checkpoint that rolled the cutover back
    forward_done: int = 0
    forward_total: int = 0

    @property
    def is_running(self):
        return self.run.status == "running"

    @property
    def open_checkpoints(self):
        return [c for c in self.checkpoints if c.is_open]

    @property
    def decided_checkpoints(self):
        """The decided checkpoints, the latest first (the board details only that one)."""
        return sorted(
            (c for c in self.checkpoints if c.outcome), key=lambda c: c.decided_at, reverse=True
        )

    @property
    def shown_checkpoints(self):
        """The checkpoints the board shows in full: the open ones and the latest decided."""
        return self.open_checkpoints + self.decided_checkpoints[:1]

    @property
    def percent(self):
        return round(100 * self.done / self.total) if self.total else 100

    @property
    def overruns(self):
        return self.spare_minutes < 0

    @property
    def in_buffer(self):
        return 0 <= self.spare_minutes < self.buffer_minutes

    @property
    def finish_sentence(self):
        """ "expected to finish Sat 05:40, 1 h 20 min before the window closes" or "expected
        to overrun by 45 min"; in the past tense once the run is over."""
        if self.expected_finish is None:
            return ""
        when = f"{self.expected_finish.astimezone(self.version.tz):%a %H:%M}"
        spare = format_minutes(abs(self.spare_minutes))
        if not self.is_running:
            if self.overruns:
                return f"finished {when}, {spare} after the window closed"
            return f"finished {when}, {spare} before the window closed"
        if self.overruns:
            return f"expected to overrun by {spare} (finish {when})"
        return f"expected to finish {when}, {spare} before the window closes"


def _board_step(row, state, names, now):
    late = 0
    if state.late and now is not None:
        reference = state.planned_end if state.status == RUNNING else state.planned_start
        late = max(0, _minutes(now - reference))  # under a minute is not late yet
    return BoardStep(
        pk=row.pk,
        number=row.number,
        title=row.title,
        owner_id=row.owner_id,
        owner_name=names.get(row.owner_id, "") if row.owner_id else "",
        status=state.status,
        since=state.actual_start if state.status == RUNNING else None,
        planned_start=state.planned_start,
        planned_end=state.planned_end,
        expected_start=state.expected_start,
        late_minutes=late,
    )


@dataclass(frozen=True)
class _RollbackStep:
    """A rollback step as the replay needs it: it runs when the roll back is decided, so
    its fixed start in the plan does not hold."""

    pk: int
    duration_minutes: int
    fixed_start: object = None


def rollback_step_ids(forward, state):
    """The rollback steps to run: those linked from the steps begun so far (done, running or
    failed: a step that started has changed something to undo)."""
    begun = (RUNNING, FAILED, *COMPLETE)
    return {
        row.rollback_step_id
        for row in forward
        if row.rollback_step_id and state[row.pk].status in begun
        and not (state[row.pk].status == "skipped" and state[row.pk].actual_start is None)
    }  # fmt: skip


def rollback_state(rows, edges, events, *, decided_at, window_end, now):
    """``run_state`` of the rollback steps ``rows``, anchored at the roll back decision."""
    minutes = max(0, _minutes(window_end - decided_at)) if window_end else None
    return run_state(
        [_RollbackStep(row.pk, row.duration_minutes) for row in rows],
        edges,
        [event for event in events if event.step_id in {row.pk for row in rows}],
        window_start=decided_at,
        window_minutes=minutes,
        buffer_minutes=0,
        now=now,
    )


def build_board(*, run, version, steps, edges, events, votes, outcomes, approvers, names, now):
    """The board of ``run``.

    ``steps``: the version's steps (``cutover.selectors.StepRow`` or alike); ``edges``:
    (predecessor id, successor id); ``events``: the run's step events; ``votes``: its
    standing checkpoint votes; ``outcomes``: its checkpoint outcomes; ``approvers``: {step
    id: set of user ids}; ``names``: {user id: name}; ``now``: an aware datetime.
    """
    live_now = now if run.status == "running" else None
    forward = [row for row in steps if not row.is_rollback]
    state = state_of_run(run, version, forward, edges, events, now=now)
    board = Board(run=run, version=version, now=now, buffer_minutes=version.buffer_minutes)
    board.window_end = state.window_end
    board.forward_total = len(forward)
    board.forward_done = state.finished_steps
    decided = {outcome.step_id: outcome for outcome in outcomes}
    standing = {}
    for vote in votes:
        standing.setdefault(vote.step_id, []).append(vote)
    board.checkpoints = [
        _checkpoint(
            row, state, decided.get(row.pk), standing.get(row.pk, ()), approvers, names, now
        )
        for row in forward
        if row.is_checkpoint
    ]
    board.roll_back = next((c for c in board.checkpoints if c.outcome == ROLL_BACK), None)
    undecided = [c for c in board.checkpoints if not c.outcome]
    if undecided and board.roll_back is None:
        board.next_checkpoint = min(
            undecided, key=lambda c: (c.step.expected_start or c.step.planned_start, c.step.number)
        )
    board.checkpoints = [c for c in board.checkpoints if c.reached or c.outcome]
    board.ponr = _point_of_no_return(run, version, forward, state, now)
    if board.roll_back is not None:
        board.rolling_back = True
        wanted = rollback_step_ids(forward, state)
        rows = [row for row in steps if row.pk in wanted]
        active_rows = rows
        active = rollback_state(
            rows, edges, events, decided_at=board.roll_back.decided_at,
            window_end=state.window_end, now=live_now,
        )  # fmt: skip
        board.rollback_steps = [_board_step(row, active[row.pk], names, live_now) for row in rows]
    else:
        active_rows, active = forward, state
    board.total = len(active_rows)
    board.done = active.finished_steps
    board.expected_finish = active.expected_finish
    if state.window_end is not None and active.expected_finish is not None:
        board.spare_minutes = _minutes(state.window_end - active.expected_finish)
    for row in active_rows:
        step = _board_step(row, active[row.pk], names, live_now)
        if step.status == RUNNING:
            board.running.append(step)
        elif step.status == FAILED:
            board.failed.append(step)
        elif step.status == READY and not step.late_minutes:
            board.ready.append(step)
        if step.late_minutes:
            board.late.append(step)
    board.late.sort(key=lambda step: (-step.late_minutes, step.number))
    board.running.sort(key=lambda step: (step.since, step.number))
    return board


def _checkpoint(row, state, outcome, votes, approvers, names, now):
    step = _board_step(row, state[row.pk], names, now)
    ids = set(approvers.get(row.pk, ()))
    shown = [
        Vote(
            voter_id=vote.voter_id,
            voter_name=names.get(vote.voter_id, "a former member"),
            choice=vote.choice,
            comment=vote.comment,
            at=vote.created_at,
        )
        for vote in sorted(votes, key=lambda vote: vote.created_at)
    ]
    voted = {vote.voter_id for vote in shown}
    checkpoint = Checkpoint(
        step=step,
        criteria=row.checkpoint_criteria,
        approver_ids=ids,
        reached=state[row.pk].status != WAITING,
        votes=shown,
        awaiting=sorted(names.get(user_id, "a former member") for user_id in ids - voted),
    )
    if outcome is not None:
        checkpoint.outcome = outcome.outcome
        checkpoint.decided_at = outcome.decided_at
        checkpoint.decided_by = names.get(outcome.decided_by_id, "")
        checkpoint.note = outcome.note
    return checkpoint


def _point_of_no_return(run, version, forward, state, now):
    step_id = version.point_of_no_return_step_id
    if step_id and step_id in state.steps:
        step_state = state[step_id]
        row = next(row for row in forward if row.pk == step_id)
        return PointOfNoReturn(
            label=f"step {row.number} “{row.title}” starts",
            at=step_state.planned_start,
            passed=step_state.status not in (WAITING, READY),
        )
    if version.point_of_no_return_at:
        at = version.point_of_no_return_at + (state.window_start - version.window_start)
        moment = now if run.status == "running" else (run.ended_at or now)
        return PointOfNoReturn(label="a set time", at=at, passed=moment >= at)
    return None


def late_by_step(board):
    """{step id: minutes late} of a running board (the escalation sweep)."""
    return {step.pk: step.late_minutes for step in board.late}
