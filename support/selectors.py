"""Reads of the support plan and hypercare, scoped to the viewer's project (another
project's line, contact or session is a 404), shaped so a page's query count does not
grow with its data."""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.http import Http404

from cutover.summary import current_version
from projects import permissions
from projects.models import SignoffRole
from reviews.scoring import plan_signoff_state
from support import coverage as cov
from support.models import (
    EscalationLevel,
    HypercareCheckIn,
    HypercareExitCriterion,
    KnowledgeTransferSession,
    LineContact,
    SupportLine,
    SupportPlan,
)

CHECK_INS_SHOWN = 60
HISTORY_SHOWN = 30


def plan_get(access, *, missing=Http404):
    plan = SupportPlan.objects.filter(project=access.project).order_by("pk").first()
    if plan is None and missing is Http404:
        raise Http404("This project has no support plan yet.")
    if plan is not None:
        plan.project = access.project
    return plan


def _scoped(queryset, access, pk, **lookup):
    try:
        return queryset.get(pk=pk, **lookup)
    except queryset.model.DoesNotExist:
        raise Http404("Not in this project.") from None


def line_get(access, pk):
    return _scoped(
        SupportLine.objects.select_related("plan"), access, pk, plan__project=access.project
    )


def contact_get(access, pk):
    return _scoped(
        LineContact.objects.select_related("line__plan", "member"), access, pk,
        line__plan__project=access.project,
    )  # fmt: skip


def escalation_get(access, pk):
    return _scoped(
        EscalationLevel.objects.select_related("plan"), access, pk, plan__project=access.project
    )


def kt_session_get(access, pk):
    return _scoped(
        KnowledgeTransferSession.objects.select_related("plan").prefetch_related(
            "from_members", "to_members"
        ),
        access, pk, plan__project=access.project,
    )  # fmt: skip


def criterion_get(access, pk):
    return _scoped(
        HypercareExitCriterion.objects.select_related("plan"), access, pk,
        plan__project=access.project,
    )  # fmt: skip


def lines_of(plan):
    """The plan's lines with contacts (and members), weekly hours and exceptions: 4 queries."""
    return list(
        plan.lines.prefetch_related(
            Prefetch("contacts", queryset=LineContact.objects.select_related("member")),
            "weekly_hours",
            "exceptions",
        )
    )


def cutover_window(project):
    """(start, end) of the current cutover plan version's window, or None (one query)."""
    version = current_version(project)
    return (version.window_start, version.window_end) if version else None


def schedule_of(line):
    weekly, exceptions = {}, {}
    for row in line.weekly_hours.all():
        weekly.setdefault(row.weekday, []).append(cov.Hours(row.start, row.end))
    for row in line.exceptions.all():
        hours = exceptions.setdefault(row.date, [])
        if not row.closed:
            hours.append(cov.Hours(row.start, row.end))
    return cov.LineSchedule(
        name=line.name,
        weekly={day: tuple(rows) for day, rows in weekly.items()},
        exceptions={day: tuple(rows) for day, rows in exceptions.items()},
    )


def periods_of(plan, project, window):
    """The cutover window (every hour needs cover) and the hypercare weeks (the plan's
    hypercare hours need cover)."""
    tz = cov.ZoneInfo(plan.time_zone)
    periods = []
    if window is not None:
        periods.append(cov.Period("cutover", window[0], window[1]))
    start = cov.hypercare_start(project.go_live_date, window[1] if window else None, tz)
    if start is not None:
        required = {}
        for day, begin, end in plan.hypercare_rows:
            required.setdefault(day, []).append(cov.Hours(begin, end))
        periods.append(
            cov.Period(
                "hypercare",
                start,
                cov.hypercare_end(start, plan.hypercare_weeks, tz),
                {day: tuple(rows) for day, rows in required.items()},
            )
        )
    return periods


def coverage_of(plan, project, lines, window):
    return cov.coverage(
        [schedule_of(line) for line in lines], periods_of(plan, project, window), plan.time_zone
    )


@dataclass
class PlanView:
    plan: SupportPlan
    lines: list
    escalation: list
    kt_sessions: list
    coverage: cov.Coverage
    signoff_state: object
    history: list = field(default_factory=list)

    @property
    def awaited_roles(self):
        labels = dict(SignoffRole.choices)
        return [labels.get(role, role) for role in self.signoff_state.awaited_roles]

    @property
    def kt_done(self):
        return sum(1 for session in self.kt_sessions if session.done)


def plan_view(access, plan):
    """The plan page's data: lines, escalation, sessions, sign-offs, gaps, recent history."""
    lines = lines_of(plan)
    escalation = list(plan.escalation.select_related("line", "contact__member", "contact__line"))
    sessions = list(plan.kt_sessions.prefetch_related("from_members", "to_members"))
    records = list(
        plan.signoffs.filter(superseded_at__isnull=True)
        .select_related("signer")
        .order_by("created_at", "pk")
    )
    history = list(
        plan.changes.select_related("user").order_by("-created_at", "-pk")[:HISTORY_SHOWN]
    )
    return PlanView(
        plan=plan, lines=lines, escalation=escalation, kt_sessions=sessions,
        coverage=coverage_of(plan, access.project, lines, cutover_window(access.project)),
        signoff_state=plan_signoff_state(plan, records), history=history,
    )  # fmt: skip


def my_signoff_roles(access, plan):
    labels = dict(SignoffRole.choices)
    eligible = permissions.support_signoff_roles_eligible(access, plan)
    return [(role, labels[role]) for role in plan.signoff_roles if role in eligible]


@dataclass
class CalendarDay:
    day: object
    cells: list  # per line: list of Gaps on that day (clipped to the day)


def calendar(access, plan):
    """Per period, per local day, per line: the gaps that day (the coverage page)."""
    lines = lines_of(plan)
    result = coverage_of(plan, access.project, lines, cutover_window(access.project))
    tz = cov.ZoneInfo(plan.time_zone)
    names = [line.name for line in lines]
    periods = []
    for period in result.periods:
        days = cov.days_of(period, tz)
        index = {day: CalendarDay(day, [[] for _ in names]) for day in days}
        for gap in result.gaps:
            if gap.period != period.name:
                continue
            column = names.index(gap.line)
            for day, start, end in _split_by_day(gap, tz):
                if day in index:
                    index[day].cells[column].append((start, end))
        periods.append((period, [index[day] for day in days]))
    return lines, result, periods


def _split_by_day(gap, tz):
    """(date, "HH:MM", "HH:MM") pieces of a gap, one per local day it touches."""
    pieces = []
    start = gap.start
    while start < gap.end:
        midnight = cov.datetime.datetime.combine(
            start.date() + cov.DAY, cov.datetime.time(0), tzinfo=tz
        )
        end = min(gap.end, midnight)
        shown_end = "24:00" if end == midnight else f"{end:%H:%M}"
        pieces.append((start.date(), f"{start:%H:%M}", shown_end))
        start = end
    return pieces


@dataclass
class HypercareView:
    plan: SupportPlan
    criteria: list
    check_ins: list

    @property
    def open_criteria(self):
        return [c for c in self.criteria if c.status != "met"]


def hypercare_view(access, plan):
    criteria = list(plan.exit_criteria.select_related("owner"))
    check_ins = list(
        HypercareCheckIn.objects.filter(plan=plan)
        .select_related("author")
        .order_by("-date")[:CHECK_INS_SHOWN]
    )
    return HypercareView(plan=plan, criteria=criteria, check_ins=check_ins)
