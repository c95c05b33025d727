from django.urls import path

from cutover import views, views_live, views_rehearsals, views_runs

app_name = "cutover"

plan = "projects/<int:project_pk>/cutover/"
step = plan + "steps/<int:step_pk>/"

urlpatterns = [
    path(plan, views.plan_detail, name="plan"),
    path(plan + "create/", views.plan_create_view, name="plan_create"),
    path(plan + "settings/", views.plan_settings, name="plan_settings"),
    path(plan + "versions/<int:number>/", views.version_detail, name="version"),
    path(plan + "versions/<int:number>/history/", views.version_history_view, name="history"),
    path(plan + "versions/<int:number>/export.<str:fmt>", views.runsheet_export, name="export"),
    path(plan + "sign-off/", views.plan_sign_off_view, name="sign_off"),
    path(plan + "sign-off/revoke/", views.plan_sign_off_revoke_view, name="sign_off_revoke"),
    path(plan + "typical-steps/", views.typical_steps_view, name="typical_steps"),
    path(plan + "import/", views.runsheet_import_view, name="import"),
    path(plan + "steps/new/", views.step_add_view, name="step_add"),
    path(step, views.step_edit, name="step_edit"),
    path(step + "delete/", views.step_delete_view, name="step_delete"),
    path(step + "move/", views.step_move_view, name="step_move"),
]

# --- Runs (rehearsals)
run = plan + "runs/<int:run_pk>/"

urlpatterns += [
    path(plan + "runs/", views_runs.runs_list, name="runs"),
    path(plan + "runs/start/", views_runs.run_start_view, name="run_start"),
    path(plan + "rehearsals/plan/", views_rehearsals.rehearsal_plan_view, name="rehearsal_plan"),
    path(
        plan + "rehearsals/<int:rehearsal_pk>/",
        views_rehearsals.rehearsal_edit_view,
        name="rehearsal_edit",
    ),
    path(
        plan + "rehearsals/<int:rehearsal_pk>/cancel/",
        views_rehearsals.rehearsal_cancel_view,
        name="rehearsal_cancel",
    ),
    path(
        plan + "rehearsals/<int:rehearsal_pk>/invite.ics",
        views_rehearsals.rehearsal_ics_view,
        name="rehearsal_ics",
    ),
    path(run, views_runs.run_detail, name="run"),
    path(run + "report/", views_runs.run_report_view, name="run_report"),
    path(run + "finish/", views_runs.run_finish_view, name="run_finish"),
    path(run + "abandon/", views_runs.run_abandon_view, name="run_abandon"),
    path(run + "steps/<int:step_pk>/mark/", views_runs.step_mark_view, name="step_mark"),
    path(run + "steps/<int:step_pk>/finding/", views_runs.step_finding_view, name="step_finding"),
    path(
        run + "events/<int:event_pk>/correct/", views_runs.event_correct_view, name="event_correct"
    ),
]

# --- Live board and checkpoints
urlpatterns += [
    path(plan + "board/", views_live.board, name="board"),
    path(plan + "board/start-live/", views_live.live_start_view, name="live_start"),
    path(
        plan + "board/runs/<int:run_pk>/checkpoints/<int:step_pk>/vote/",
        views_live.checkpoint_vote_view,
        name="checkpoint_vote",
    ),
]
