from django.urls import path

from reviews.views import items, projects, reviews

app_name = "reviews"

review = "projects/<int:project_pk>/reviews/<int:review_pk>/"
item = review + "items/<int:item_pk>/"

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
]
