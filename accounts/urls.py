from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from accounts import sso, views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/", views.token_create, name="token_create"),
    path("profile/tokens/<int:token_pk>/revoke/", views.token_revoke, name="token_revoke"),
    path("profile/two-step/setup/", views.two_step_setup, name="two_step_setup"),
    path("profile/two-step/confirm/", views.two_step_setup_confirm, name="two_step_confirm"),
    path("profile/two-step/recovery/", views.recovery_codes_new, name="recovery_codes_new"),
    path("profile/two-step/off/", views.two_step_off, name="two_step_off"),
]

# Django's auth views, under their usual names (login, logout, password_reset, ...).
auth_urlpatterns = [
    path("login/", login_not_required(views.TwoStepLoginView.as_view()), name="login"),
    path("login/code/", views.login_code, name="login_code"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Off when the site is SSO only (views.passwords_on): a page says so.
    path(
        "password/change/",
        views.passwords_on(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "password/change/done/",
        views.passwords_on(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("password/reset/", views.passwords_on(views.password_reset), name="password_reset"),
    path(
        "password/reset/sent/",
        views.passwords_on(auth_views.PasswordResetDoneView.as_view()),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        views.passwords_on(auth_views.PasswordResetConfirmView.as_view()),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        views.passwords_on(auth_views.PasswordResetCompleteView.as_view()),
        name="password_reset_complete",
    ),
]

# Single sign-on (accounts/sso.py): the provider's redirect URI is <SITE_URL>/oidc/callback/.
# Both answer 404 when OpenID Connect is not configured.
sso_urlpatterns = [
    path("authenticate/", login_not_required(sso.SsoStartView.as_view()), name="oidc_start"),
    path("callback/", login_not_required(sso.SsoCallbackView.as_view()), name="oidc_callback"),
]
