from django.urls import path

from reviews.views import decisions, items, projects, reviews, summaries, workshops

app_name = "reviews"

review = "projects/<int:project_pk>/reviews/<int:review_pk>/"
item = review + "items/<int:item_pk>/"
workshop = review + "workshops/<int:workshop_pk>/"
decision = review + "decision/"

urlpatterns = [
    path("projects/", projects.project_list, name="project_list"),
    path("projects/new/", projects.project_create_view, name="project_create"),
    path("projects/<int:project_pk>/", projects.project_detail, name="project_detail"),
    path("projects/<int:project_pk>/edit/", projects.project_edit, name="project_edit"),
    path("projects/<int:project_pk>/reviews/", reviews.review_list, name="review_list"),
    path(
        "projects/<int:project_pk>/reviews/new/", reviews.review_create_view, name="review_create"
    ),
    path(review, reviews.review_detail, name="review_detail"),
    path(review + "edit/", reviews.review_edit, name="review_edit"),
    path(item, items.item_detail_view, name="item_detail"),
    path(item + "edit/", items.item_edit, name="item_edit"),
    path(item + "sign-off/", items.item_sign_off_view, name="item_sign_off"),
    path(item + "evidence/", items.evidence_add, name="evidence_add"),
    path(
        "projects/<int:project_pk>/evidence/<int:evidence_pk>/",
        items.evidence_download,
        name="evidence_download",
    ),
    path(
        "projects/<int:project_pk>/evidence/<int:evidence_pk>/remove/",
        items.evidence_remove,
        name="evidence_remove",
    ),
    path("sign-offs/awaiting/", items.awaiting_my_signoff, name="awaiting_signoff"),
    # Workshops and workshop mode
    path(review + "workshops/", workshops.workshop_list, name="workshop_list"),
    path(review + "workshops/new/", workshops.workshop_create_view, name="workshop_create"),
    path(workshop, workshops.workshop_detail, name="workshop_detail"),
    path(workshop + "attendance/", workshops.workshop_attendance, name="workshop_attendance"),
    path(workshop + "minutes/", workshops.workshop_minutes, name="workshop_minutes"),
    path(workshop + "invite.ics", workshops.workshop_ics_view, name="workshop_ics"),
    path(review + "workshop/", workshops.workshop_mode, name="workshop_mode"),
    path(item + "workshop-save/", workshops.workshop_mode_save, name="workshop_mode_save"),
    path(item + "workshop-check/", workshops.workshop_mode_check, name="workshop_mode_check"),
    # Go / no-go
    path(decision, decisions.decision_page, name="decision"),
    path(decision + "open/", decisions.decision_open_view, name="decision_open"),
    path(decision + "vote/", decisions.decision_vote, name="decision_vote"),
    path(decision + "record/", decisions.decision_record_view, name="decision_record"),
    path(
        "projects/<int:project_pk>/decisions/<int:decision_pk>/",
        decisions.decision_detail,
        name="decision_detail",
    ),
    path(
        "projects/<int:project_pk>/conditions/<int:condition_pk>/met/",
        decisions.condition_met,
        name="condition_met",
    ),
    # Summary PDFs
    path(review + "summaries/", summaries.summary_list, name="summary_list"),
    path(review + "summaries/request/", summaries.summary_request_view, name="summary_request"),
    path(
        "projects/<int:project_pk>/summaries/<int:summary_pk>/download/",
        summaries.summary_download,
        name="summary_download",
    ),
    path(
        "projects/<int:project_pk>/summaries/<int:summary_pk>/send/",
        summaries.summary_send_view,
        name="summary_send",
    ),
]
