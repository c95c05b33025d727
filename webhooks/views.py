"""The webhook pages of a project: the list, a new webhook, and one webhook (its settings,
secret, state, test button and delivery log). The project manager's only: other members are
refused with a message, another project's webhook is a 404."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from core.forms import add_service_errors
from projects import permissions
from projects.decorators import project_view
from webhooks import selectors, sending, services
from webhooks.forms import DisableForm, WebhookForm
from webhooks.models import WebhookEventType


def _help():
    """What the signature help says: the headers and the delivery settings."""
    return {
        "event_header": sending.EVENT_HEADER,
        "event_id_header": sending.EVENT_ID_HEADER,
        "signature_header": sending.SIGNATURE_HEADER,
        "timeout": f"{settings.WEBHOOK_TIMEOUT_SECONDS:g}",
        "max_tries": settings.WEBHOOK_MAX_TRIES,
        "max_failures": settings.WEBHOOK_MAX_FAILURES,
    }


def _require_manager(access):
    if not permissions.can_manage_webhooks(access):
        raise PermissionDenied(
            "Only the project manager configures the project's webhooks (their addresses and "
            "secrets are not shown to other members)."
        )


def _fields(form):
    data = form.cleaned_data
    return {"name": data["name"], "url": data["url"], "format": data["format"],
            "events": data["events"]}  # fmt: skip


@require_http_methods(["GET"])
@project_view
def webhook_list(request, access):
    _require_manager(access)
    context = {
        "project": access.project, "webhooks": selectors.webhooks_of_project(access),
        "form": WebhookForm(initial={"events": [WebhookEventType.DECISION_RECORDED]}),
        **_help(),
    }  # fmt: skip
    return render(request, "webhooks/list.html", context)


@require_http_methods(["GET", "POST"])
@project_view
def webhook_add(request, access):
    _require_manager(access)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            webhook = services.webhook_create(
                project=access.project, acting_user=request.user, **_fields(form)
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, f"Webhook “{webhook.name}” added. Its secret is below; send a test event."
            )
            return redirect(webhook.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    context = {"project": access.project, "form": form}
    return render(request, "webhooks/form.html", context, status=status)


def _render_detail(request, access, webhook, *, form=None, status=200):
    initial = {"name": webhook.name, "url": webhook.url, "format": webhook.format,
               "events": webhook.events}  # fmt: skip
    context = {
        "project": access.project, "webhook": webhook,
        "form": form or WebhookForm(initial=initial), "disable_form": DisableForm(),
        "deliveries": selectors.delivery_log(webhook), "log_length": selectors.DELIVERY_LOG_LENGTH,
        **_help(),
    }  # fmt: skip
    return render(request, "webhooks/detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@project_view
def webhook_detail(request, access, webhook_pk):
    webhook = selectors.webhook_get(access, webhook_pk)  # another project's: a 404 for all
    _require_manager(access)
    if request.method == "GET":
        return _render_detail(request, access, webhook)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            services.webhook_update(webhook=webhook, acting_user=request.user, **_fields(form))
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, "Webhook saved.")
            return redirect(webhook.get_absolute_url())
    return _render_detail(request, access, webhook, form=form, status=400)


def _action(request, access, webhook_pk, do, message):
    webhook = selectors.webhook_get(access, webhook_pk)  # another project's: a 404 for all
    _require_manager(access)
    do(webhook)
    messages.success(request, message.format(name=webhook.name))
    return redirect(webhook.get_absolute_url())


@require_http_methods(["POST"])
@project_view
def webhook_rotate_view(request, access, webhook_pk):
    return _action(
        request, access, webhook_pk,
        lambda webhook: services.webhook_secret_rotate(webhook=webhook, acting_user=request.user),
        "New secret for “{name}”: update the receiver; deliveries are signed with it from now.",
    )  # fmt: skip


@require_http_methods(["POST"])
@project_view
def webhook_disable_view(request, access, webhook_pk):
    form = DisableForm(request.POST)
    if not form.is_valid():  # nothing is disabled on a reason the page would cut short
        webhook = selectors.webhook_get(access, webhook_pk)
        _require_manager(access)
        messages.error(request, f"Not disabled: {' '.join(form.errors['reason'])}")
        return redirect(webhook.get_absolute_url())
    reason = form.cleaned_data["reason"]
    return _action(
        request, access, webhook_pk,
        lambda webhook: services.webhook_disable(
            webhook=webhook, acting_user=request.user, reason=reason
        ),
        "Webhook “{name}” disabled: nothing is sent to it until it is enabled.",
    )  # fmt: skip


@require_http_methods(["POST"])
@project_view
def webhook_enable_view(request, access, webhook_pk):
    return _action(
        request, access, webhook_pk,
        lambda webhook: services.webhook_enable(webhook=webhook, acting_user=request.user),
        "Webhook “{name}” enabled; its count of failures starts again from zero.",
    )  # fmt: skip


@require_http_methods(["POST"])
@project_view
def webhook_test_view(request, access, webhook_pk):
    return _action(
        request, access, webhook_pk,
        lambda webhook: services.webhook_test_send(webhook=webhook, acting_user=request.user),
        "Test event sent to “{name}”: its delivery is at the top of the log (reload to follow "
        "its tries).",
    )  # fmt: skip


@require_http_methods(["POST"])
@project_view
def webhook_delete_view(request, access, webhook_pk):
    webhook = selectors.webhook_get(access, webhook_pk)  # another project's: a 404 for all
    _require_manager(access)
    services.webhook_delete(webhook=webhook, acting_user=request.user)
    messages.success(request, f"Webhook “{webhook.name}” deleted, with its delivery log.")
    return redirect(reverse("webhooks:list", args=[access.project.pk]))
