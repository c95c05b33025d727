"""The bell: how many are unread, the list, marking read, and how each kind is delivered."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.lists import page_of
from notifications import selectors, services
from notifications.forms import PreferencesForm

PAGE_SIZE = 30


@require_GET
def bell(request):
    """The bell in the navigation bar with the unread count (loaded by htmx, so pages do not
    pay for it)."""
    return render(
        request, "notifications/_bell.html", {"unread": selectors.unread_count(request.user)}
    )


@require_GET
def notification_list(request):
    page = page_of(selectors.inbox(request.user), request, PAGE_SIZE)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "unread": selectors.unread_count(request.user)},
    )


@require_GET
def notification_open(request, notification_pk):
    """Mark one notification read and go to the page it is about."""
    notification = selectors.notification_of(request.user, notification_pk)
    if notification is None:
        raise Http404("No such notification.")
    services.notifications_mark_read(user=request.user, ids=[notification.pk])
    if url_has_allowed_host_and_scheme(notification.url, allowed_hosts=None):
        return redirect(notification.url)
    return redirect("notifications:list")


@require_POST
def notifications_read(request):
    """Mark all read, or the one named by ``id``."""
    ids = None
    if "id" in request.POST:  # one of them; an id that is not a number names none
        pk = request.POST["id"]
        ids = [int(pk)] if pk.isdigit() and len(pk) < 19 else []
    count = services.notifications_mark_read(user=request.user, ids=ids)
    if ids is None:
        messages.success(
            request,
            f"{count} notification{'' if count == 1 else 's'} marked read."
            if count
            else "Nothing was unread.",
        )
    return redirect("notifications:list")


@require_http_methods(["GET", "POST"])
def preferences(request):
    form = PreferencesForm(request.POST or None, preferences=selectors.preferences_of(request.user))
    if request.method == "POST" and form.is_valid():
        services.notification_preferences_save(user=request.user, choices=form.cleaned_data)
        messages.success(request, "Notification settings saved.")
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})
