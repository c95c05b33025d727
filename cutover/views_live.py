"""The live board and its checkpoint votes; starting the live cutover.

The board polls itself (htmx, every 10 s) and swaps one fragment, the same template's
``board-body`` partial; once the run is over the fragment comes back without the trigger
and the polling stops.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cutover import run_selectors, selectors, selectors_live
from cutover.board import CHECKPOINT_RULE
from cutover.services.checkpoints import checkpoint_vote
from cutover.services.live import live_cutover_start
from projects import permissions
from projects.decorators import project_view


def _board_url(access):
    return reverse("cutover:board", args=[access.project.pk])


def _run_pk(request):
    value = request.GET.get("run", "")
    return int(value) if value.isdigit() else None


def _render_board(request, access, run, *, error="", status=200):
    context = {
        "project": access.project,
        "run": run,
        "board": selectors_live.board_of(run, access.project) if run else None,
        "rule": CHECKPOINT_RULE,
        "can_start_live": permissions.can_start_live_cutover(access),
        "vote_error": error,
    }
    template = "cutover/board.html#board-body" if request.htmx else "cutover/board.html"
    return render(request, template, context, status=status)


@require_http_methods(["GET"])
@project_view
def board(request, access):
    run = selectors_live.board_run(access, _run_pk(request))
    return _render_board(request, access, run)


@require_http_methods(["POST"])
@project_view
def checkpoint_vote_view(request, access, run_pk, step_pk):
    run = run_selectors.run_get(access, run_pk)  # another project's run: a 404 first
    step = run_selectors.step_of_run(run, step_pk)
    error = ""
    try:
        _vote, outcome = checkpoint_vote(
            run=run, step=step, acting_user=request.user,
            choice=request.POST.get("choice", ""), comment=request.POST.get("comment", ""),
        )  # fmt: skip
    except PermissionDenied:
        raise
    except ValidationError as problem:
        error = " ".join(problem.messages)
    else:
        said = "Vote recorded."
        if outcome is not None:
            said += f" Checkpoint {step.number}: {outcome.get_outcome_display().lower()}."
        if not request.htmx:
            messages.success(request, said)
    if not request.htmx:
        if error:
            messages.error(request, error)
        return redirect(f"{_board_url(access)}?run={run.pk}")
    run.refresh_from_db(fields=["status", "ended_at"])
    return _render_board(request, access, run, error=error, status=422 if error else 200)


@require_http_methods(["POST"])
@project_view
def live_start_view(request, access):
    version = selectors.version_get(access)
    try:
        run = live_cutover_start(plan=version.plan, acting_user=request.user)
    except ValidationError as problem:
        messages.error(request, " ".join(problem.messages))
        return redirect(_board_url(access))
    messages.success(request, f"The live cutover started at {run.started_at:%H:%M}.")
    return redirect(f"{_board_url(access)}?run={run.pk}")
