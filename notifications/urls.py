from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/read/", views.notifications_read, name="read"),
    path("notifications/settings/", views.preferences, name="preferences"),
    path("notifications/<int:notification_pk>/", views.notification_open, name="open"),
]
