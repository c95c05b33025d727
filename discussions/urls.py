from django.urls import path

from discussions import views

app_name = "discussions"

questions = "projects/<int:project_pk>/questions/"
subject = questions + "<slug:kind>/<int:subject_pk>/"
thread = questions + "<int:thread_pk>/"
comment = questions + "comments/<int:comment_pk>/"

urlpatterns = [
    path(subject, views.panel, name="panel"),
    path(subject + "ask/", views.thread_ask_view, name="ask"),
    path(thread + "reply/", views.thread_reply_view, name="reply"),
    path(thread + "resolve/", views.thread_resolve_view, name="resolve"),
    path(thread + "reopen/", views.thread_reopen_view, name="reopen"),
    path(comment + "edit/", views.comment_edit_view, name="edit"),
    path(comment + "withdraw/", views.comment_withdraw_view, name="withdraw"),
]
