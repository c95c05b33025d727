from django.urls import path

from decisions import views

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
    path(project + "conditions/<int:condition_pk>/met/", views.condition_met, name="condition_met"),
]
