"""The webhook pages: the project manager's only (other roles refused with a message, an
outsider and another project's webhook a 404), adding, editing, rotating, disabling,
enabling, the test button, the empty state, and flat query counts."""

import pytest
from django.urls import reverse

from projects.models import Role
from tests.factories import MembershipFactory, ProjectFactory
from webhooks.models import Webhook, WebhookDelivery

OTHER_ROLES = [Role.FACILITATOR, Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER]


def url(name, project, *args):
    return reverse(f"webhooks:{name}", args=[project.pk, *args])


def post_data(receiver_url="https://hooks.example.com/in", **changes):
    data = {"name": "Teams: go-live", "url": receiver_url, "format": "teams",
            "events": ["decision.recorded", "finding.raised"]}  # fmt: skip
    data.update(changes)
    return data


def test_the_empty_state_says_how_to_start(client_for, project, members):
    response = client_for(members[Role.PROJECT_MANAGER]).get(url("list", project))
    assert response.status_code == 200
    assert "No webhook yet." in response.text
    assert "X-Readiness-Signature" in response.text


def test_the_project_page_links_the_webhooks_for_the_project_manager_only(
    client_for, project, members
):
    link = url("list", project)
    assert link in client_for(members[Role.PROJECT_MANAGER]).get(project.get_absolute_url()).text
    assert link not in client_for(members[Role.FACILITATOR]).get(project.get_absolute_url()).text


def test_the_project_manager_adds_a_webhook_and_sees_its_secret(client_for, project, members):
    client = client_for(members[Role.PROJECT_MANAGER])
    response = client.post(url("add", project), post_data())
    webhook = Webhook.objects.get()
    assert response.status_code == 302
    assert response.url == webhook.get_absolute_url()
    assert (webhook.name, webhook.format, webhook.events) == (
        "Teams: go-live", "teams", ["decision.recorded", "finding.raised"]
    )  # fmt: skip
    assert webhook.is_enabled
    assert len(webhook.secret) >= 40
    page = client.get(webhook.get_absolute_url()).text
    assert webhook.secret in page
    assert "Nothing sent yet." in page


@pytest.mark.parametrize(
    ("changes", "field_error"),
    [
        ({"url": "ftp://files.example.com/in"}, "Only http:// and https:// addresses"),
        ({"url": "javascript:alert(1)"}, "Enter a valid URL"),
        ({"events": []}, "This field is required"),
        ({"events": ["webhook.test"]}, "Select a valid choice"),
        ({"name": ""}, "This field is required"),
    ],
)
def test_bad_input_is_shown_in_the_page(client_for, project, members, changes, field_error):
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        url("add", project), post_data(**changes)
    )
    assert response.status_code == 400
    assert field_error in response.text
    assert Webhook.objects.count() == 0


def test_the_service_refuses_a_url_that_is_not_http(project, members):
    from django.core.exceptions import ValidationError

    from webhooks.services import webhook_create

    with pytest.raises(ValidationError, match="Only http"):
        webhook_create(
            project=project, acting_user=members[Role.PROJECT_MANAGER], name="x",
            url="file:///etc/passwd", format="generic", events=["vote.opened"],
        )  # fmt: skip


@pytest.fixture
def webhook(make_webhook):
    return make_webhook("https://hooks.example.com/in", events=["vote.opened"])


def test_the_project_manager_edits_rotates_disables_and_enables(
    client_for, project, members, webhook
):
    client = client_for(members[Role.PROJECT_MANAGER])
    detail = webhook.get_absolute_url()
    response = client.post(detail, post_data(name="Slack: cutover", format="slack"))
    assert response.status_code == 302
    webhook.refresh_from_db()
    assert (webhook.name, webhook.format) == ("Slack: cutover", "slack")
    secret = webhook.secret
    client.post(url("rotate", project, webhook.pk))
    webhook.refresh_from_db()
    assert webhook.secret != secret
    client.post(url("disable", project, webhook.pk), {"reason": "Channel archived"})
    webhook.refresh_from_db()
    assert not webhook.is_enabled
    page = client.get(detail).text
    assert "Channel archived" in page
    assert "Enable again" in page
    client.post(url("enable", project, webhook.pk))
    webhook.refresh_from_db()
    assert webhook.is_enabled
    assert webhook.disabled_reason == ""


def test_a_reason_too_long_is_refused_with_a_message_and_nothing_is_disabled(
    client_for, project, members, webhook
):
    client = client_for(members[Role.PROJECT_MANAGER])
    response = client.post(url("disable", project, webhook.pk), {"reason": "x" * 251}, follow=True)
    assert "Not disabled: Ensure this value has at most 250 characters (it has 251)." in (
        response.text
    )
    webhook.refresh_from_db()
    assert (webhook.is_enabled, webhook.disabled_reason) == (True, "")


def test_the_page_shows_why_a_webhook_was_disabled(client_for, project, members, webhook):
    webhook.is_enabled = False
    webhook.disabled_reason = "Disabled automatically after 5 failed deliveries in a row."
    webhook.save()
    client = client_for(members[Role.PROJECT_MANAGER])
    assert webhook.disabled_reason in client.get(webhook.get_absolute_url()).text
    assert webhook.disabled_reason[:60] in client.get(url("list", project)).text


def test_send_test_event_delivers_to_the_receiver(
    client_for, project, members, receiver, make_webhook, django_capture_on_commit_callbacks
):
    webhook = make_webhook(receiver.url, events=["vote.opened"])
    client = client_for(members[Role.PROJECT_MANAGER])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("test", project, webhook.pk), follow=True)
    assert "Test event sent" in response.text
    [request] = receiver.received
    assert request.headers["X-Readiness-Event"] == "webhook.test"
    assert request.signature_ok(webhook.secret)
    page = client.get(webhook.get_absolute_url()).text
    assert "Test event" in page
    assert "Delivered" in page


def test_deleting_removes_the_webhook_and_its_log(client_for, project, members, webhook):
    client = client_for(members[Role.PROJECT_MANAGER])
    response = client.post(url("delete", project, webhook.pk))
    assert response.status_code == 302
    assert not Webhook.objects.exists()


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_other_roles_are_refused_with_a_message(client_for, project, members, webhook, role):
    client = client_for(members[role])
    for response in (
        client.get(url("list", project)),
        client.get(url("add", project)),
        client.post(url("add", project), post_data()),
        client.get(webhook.get_absolute_url()),
        client.post(webhook.get_absolute_url(), post_data(name="Mine")),
        client.post(url("rotate", project, webhook.pk)),
        client.post(url("disable", project, webhook.pk)),
        client.post(url("test", project, webhook.pk)),
        client.post(url("delete", project, webhook.pk)),
    ):
        assert response.status_code == 403
        assert "Only the project manager configures" in response.text
        assert webhook.secret not in response.text
    webhook.refresh_from_db()
    assert (webhook.name, webhook.is_enabled) == ("Go-live channel", True)
    assert Webhook.objects.count() == 1


def test_an_outsider_gets_a_404(client_for, project, outsider, webhook):
    client = client_for(outsider)
    assert client.get(url("list", project)).status_code == 404
    assert client.get(webhook.get_absolute_url()).status_code == 404
    assert client.post(url("rotate", project, webhook.pk)).status_code == 404


def test_another_projects_webhook_is_a_404_for_its_project_manager(
    client_for, project, outsider, webhook
):
    """The outsider manages their own project; our webhook's id under it is a 404."""
    theirs = outsider.memberships.get().project
    client = client_for(outsider)
    for name in ("detail", "rotate", "disable", "enable", "test", "delete"):
        method = client.get if name == "detail" else client.post
        assert method(url(name, theirs, webhook.pk)).status_code == 404
    webhook.refresh_from_db()
    assert webhook.is_enabled


def _grow(project, pm, size):
    from webhooks import services
    from webhooks.models import WebhookEvent

    for index in range(size):
        webhook = services.webhook_create(
            project=project, acting_user=pm, name=f"Hook {index}",
            url=f"https://hooks.example.com/{index}", format="generic", events=["vote.opened"],
        )  # fmt: skip
        for number in range(size * 3):
            event = WebhookEvent.objects.create(
                project=project, event="vote.opened", title=f"Ballot {number}"
            )
            WebhookDelivery.objects.create(
                webhook=webhook, event=event, status="succeeded", status_code=200, attempts=1
            )
    return webhook


@pytest.mark.parametrize("size", [1, 8])
def test_pages_make_flat_queries(client_for, members, django_assert_max_num_queries, size):
    project = ProjectFactory()
    pm = members[Role.PROJECT_MANAGER]
    MembershipFactory(project=project, user=pm, role=Role.PROJECT_MANAGER)
    webhook = _grow(project, pm, size)
    client = client_for(pm)
    with django_assert_max_num_queries(5):
        response = client.get(url("list", project))
    assert response.status_code == 200
    assert response.text.count("Hook ") >= size
    with django_assert_max_num_queries(5):
        response = client.get(webhook.get_absolute_url())
    assert response.status_code == 200
    assert response.text.count("Ballot ") == 2 * size * 3  # the table, and the list on phones


def test_the_demo_has_one_disabled_webhook(db, tmp_path):
    from django.core.management import call_command

    from projects.demo import DEMO_PROJECT_NAME

    for _ in range(2):  # idempotent
        with open(tmp_path / "out.txt", "w") as quiet:
            call_command("seed_demo", stdout=quiet)
    webhook = Webhook.objects.get(project__name=DEMO_PROJECT_NAME)
    assert (webhook.format, webhook.is_enabled) == ("teams", False)
    assert webhook.disabled_reason.startswith("Demo:")
    assert not WebhookDelivery.objects.exists()
