from django.urls import path

from summaries import views

app_name = "summaries"

project = "projects/<int:project_pk>/"
review = project + "reviews/<int:review_pk>/"
summary = project + "summaries/<int:summary_pk>/"

urlpatterns = [
    path(review + "summaries/", views.summary_list, name="summary_list"),
    path(review + "summaries/request/", views.summary_request_view, name="summary_request"),
    path(summary + "download/", views.summary_download, name="summary_download"),
    path(summary + "send/", views.summary_send_view, name="summary_send"),
]
