from django.contrib import admin
from django.urls import include, path

from accounts.urls import auth_urlpatterns, sso_urlpatterns
from readiness import views

admin.site.site_header = "readiness administration"
admin.site.site_title = "readiness admin"

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/<int:project_pk>/", views.project_detail, name="project_detail"),
    path("accounts/", include(auth_urlpatterns)),
    path("oidc/", include(sso_urlpatterns)),
    path("", include("accounts.urls")),
    path("", include("projects.urls")),
    path("", include("reviews.urls")),
    path("", include("risks.urls")),
    path("", include("cutover.urls")),
    path("", include("support.urls")),
    path("", include("decisions.urls")),
    path("", include("summaries.urls")),
    path("", include("notifications.urls")),
    path("", include("webhooks.urls")),
    path("", include("discussions.urls")),
    path("api/", include("api.urls")),
    # The admin signs in through the site's log-in page (password and code, or single sign-on),
    # not through a form of its own that would skip them.
    path("admin/login/", views.admin_login, name="admin_login"),
    path("admin/", admin.site.urls),
]

handler500 = "readiness.views.server_error"
