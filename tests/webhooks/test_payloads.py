"""The Teams and Slack presets post what their incoming webhooks accept, readable in the
channel: the title, the project, what happened and a link back."""

import pytest

from webhooks import services


@pytest.fixture
def publish(project, django_capture_on_commit_callbacks, settings):
    settings.SITE_URL = "https://readiness.example.com"

    def publish_one():
        with django_capture_on_commit_callbacks(execute=True):
            return services.webhook_event_publish(
                project=project, event="signoff.rejected",
                title="“Cutover plan signed off” rejected by Alex <Approver>",
                text="Alex rejected “Cutover plan signed off” as Business owner. Counts & totals "
                "differ; see https://evil.example/login",
                url="/projects/1/reviews/2/items/3/", actor="Alex <Approver>",
            )  # fmt: skip

    return publish_one


def test_teams_gets_a_message_card(receiver, make_webhook, publish, project):
    make_webhook(receiver.url, format="teams")
    publish()
    card = receiver.received[0].json
    assert card["@type"] == "MessageCard"
    assert card["@context"] == "https://schema.org/extensions"
    assert card["title"] == "“Cutover plan signed off” rejected by Alex <Approver>"
    assert card["summary"].startswith(f"{project.name}: ")
    assert card["themeColor"] == "DC3545"  # a rejection is bad news
    section = card["sections"][0]
    assert section["activityTitle"] == project.name
    assert section["text"].startswith("Alex rejected “Cutover plan signed off”")
    # A member's link to another site is defanged: readable, never a link in the channel.
    assert "hxxps://evil[.]example/login" in section["text"]
    assert {"name": "Event", "value": "Sign-off rejected"} in section["facts"]
    assert {"name": "By", "value": "Alex <Approver>"} in section["facts"]
    [action] = card["potentialAction"]
    assert action["@type"] == "OpenUri"
    assert action["targets"] == [
        {"os": "default", "uri": "https://readiness.example.com/projects/1/reviews/2/items/3/"}
    ]


def test_slack_gets_blocks_with_escaped_text(receiver, make_webhook, publish, project):
    make_webhook(receiver.url, format="slack")
    publish()
    body = receiver.received[0].json
    assert body["text"] == f"{project.name}: “Cutover plan signed off” rejected by Alex <Approver>"
    header, context, section, actions = body["blocks"]
    assert header == {
        "type": "header",
        "text": {"type": "plain_text",
                 "text": "“Cutover plan signed off” rejected by Alex <Approver>"},
    }  # fmt: skip
    assert context["type"] == "context"
    assert context["elements"][0]["text"] == (
        f"*{project.name}* · Sign-off rejected · by Alex &lt;Approver&gt;"
    )
    assert section["type"] == "section"
    assert section["text"]["type"] == "mrkdwn"
    assert "Counts &amp; totals differ" in section["text"]["text"]
    assert actions["type"] == "actions"
    button = actions["elements"][0]
    assert button["type"] == "button"
    assert button["url"] == "https://readiness.example.com/projects/1/reviews/2/items/3/"


def test_the_generic_body_keeps_the_data(receiver, make_webhook, project, settings):
    settings.SITE_URL = "https://readiness.example.com"
    make_webhook(receiver.url)
    from django.db import transaction

    with transaction.atomic():
        services.webhook_event_publish(
            project=project, event="finding.raised", title="R-1 raised: Interfaces untested",
            data={"finding_id": 7, "is_blocker": True},
        )  # fmt: skip
    # The test's transaction never commits; send what was recorded, as the broker would.
    from webhooks.models import WebhookEvent

    services.webhook_events_deliver(event_ids=[str(WebhookEvent.objects.get().pk)])
    body = receiver.received[0].json
    assert body["event"] == "finding.raised"
    assert body["event_label"] == "Finding raised"
    assert body["data"] == {"finding_id": 7, "is_blocker": True}
    assert body["created_at"]
