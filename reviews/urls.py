from django.urls import path

from reviews.views import items, reviews, workshops

app_name = "reviews"

project = "projects/<int:project_pk>/"
review = project + "reviews/<int:review_pk>/"
item = review + "items/<int:item_pk>/"
workshop = review + "workshops/<int:workshop_pk>/"
evidence = project + "evidence/<int:evidence_pk>/"

urlpatterns = [
    path(project + "reviews/", reviews.review_list, name="review_list"),
    path(project + "reviews/new/", reviews.review_create_view, name="review_create"),
    path(review, reviews.review_detail, name="review_detail"),
    path(review + "edit/", reviews.review_edit, name="review_edit"),
    path(item, items.item_detail_view, name="item_detail"),
    path(item + "row/", items.item_row, name="item_row"),
    path(item + "edit/", items.item_edit, name="item_edit"),
    path(item + "confirm/", items.item_confirm, name="item_confirm"),
    path(item + "sign-off/", items.item_sign_off_view, name="item_sign_off"),
    path(item + "evidence/", items.evidence_add, name="evidence_add"),
    path(evidence, items.evidence_download, name="evidence_download"),
    path(evidence + "remove/", items.evidence_remove, name="evidence_remove"),
    path("sign-offs/awaiting/", items.awaiting_my_signoff, name="awaiting_signoff"),
    # Workshops and workshop mode
    path(review + "workshops/", workshops.workshop_list, name="workshop_list"),
    path(review + "workshops/new/", workshops.workshop_create_view, name="workshop_create"),
    path(workshop, workshops.workshop_detail, name="workshop_detail"),
    path(workshop + "edit/", workshops.workshop_edit_view, name="workshop_edit"),
    path(workshop + "cancel/", workshops.workshop_cancel_view, name="workshop_cancel"),
    path(workshop + "attendance/", workshops.workshop_attendance, name="workshop_attendance"),
    path(workshop + "minutes/", workshops.workshop_minutes, name="workshop_minutes"),
    path(workshop + "invite.ics", workshops.workshop_ics_view, name="workshop_ics"),
    path(review + "workshop/", workshops.workshop_mode, name="workshop_mode"),
    path(item + "workshop-save/", workshops.workshop_mode_save, name="workshop_mode_save"),
    path(item + "workshop-confirm/", workshops.workshop_mode_confirm, name="workshop_mode_confirm"),
    path(item + "workshop-check/", workshops.workshop_mode_check, name="workshop_mode_check"),
]
