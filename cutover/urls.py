from django.urls import path

from cutover import views

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

# --- Live board and checkpoints
from cutover import views_live  # noqa: E402

urlpatterns += [
    path(plan + "board/", views_live.board, name="board"),
    path(plan + "board/start-live/", views_live.live_start_view, name="live_start"),
    path(
        plan + "board/runs/<int:run_pk>/checkpoints/<int:step_pk>/vote/",
        views_live.checkpoint_vote_view,
        name="checkpoint_vote",
    ),
]
