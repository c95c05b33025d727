from django.urls import path

from webhooks import views

app_name = "webhooks"

base = "projects/<int:project_pk>/webhooks/"
one = base + "<int:webhook_pk>/"

urlpatterns = [
    path(base, views.webhook_list, name="list"),
    path(base + "new/", views.webhook_add, name="add"),
    path(one, views.webhook_detail, name="detail"),
    path(one + "rotate-secret/", views.webhook_rotate_view, name="rotate"),
    path(one + "disable/", views.webhook_disable_view, name="disable"),
    path(one + "enable/", views.webhook_enable_view, name="enable"),
    path(one + "test/", views.webhook_test_view, name="test"),
    path(one + "delete/", views.webhook_delete_view, name="delete"),
]
