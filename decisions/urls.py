from django.urls import path

from decisions import views, views_criteria

app_name = "decisions"

project = "projects/<int:project_pk>/"
decision = project + "reviews/<int:review_pk>/decision/"

urlpatterns = [
    path(decision, views.decision_page, name="decision"),
    path(decision + "open/", views.decision_open_view, name="decision_open"),
    path(decision + "vote/", views.decision_vote, name="decision_vote"),
    path(decision + "record/", views.decision_record_view, name="decision_record"),
    path(project + "decisions/", views.decision_list, name="decision_list"),
    path(project + "decisions/<int:decision_pk>/", views.decision_detail, name="decision_detail"),
    path(project + "criteria/", views_criteria.criteria_page, name="criteria"),
    path(
        project + "criteria/builtin/",
        views_criteria.criterion_builtin_switch,
        name="criterion_builtin",
    ),
    path(project + "criteria/add/", views_criteria.criterion_add, name="criterion_add"),
    path(
        project + "criteria/<int:criterion_pk>/edit/",
        views_criteria.criterion_edit,
        name="criterion_edit",
    ),
    path(
        project + "criteria/<int:criterion_pk>/remove/",
        views_criteria.criterion_remove,
        name="criterion_remove",
    ),
    path(
        project + "criteria/<int:criterion_pk>/move/",
        views_criteria.criterion_move,
        name="criterion_move",
    ),
    path(
        project + "criteria/<int:criterion_pk>/attest/",
        views_criteria.criterion_attest,
        name="criterion_attest",
    ),
    path(project + "conditions/<int:condition_pk>/met/", views.condition_met, name="condition_met"),
]
