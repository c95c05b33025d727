"""The body each format posts: generic JSON, a Teams message card, Slack blocks.

Every body says the same four things so it reads well in a channel: the title, the
project, what happened and a link back (an absolute address of this site).
"""

import json

from webhooks.models import WebhookEventType, WebhookFormat

# Teams' card accent: green for good news, red for bad, the site's blue otherwise.
GOOD = {WebhookEventType.SIGNOFF_GIVEN, WebhookEventType.FINDING_CLOSED}
BAD = {
    WebhookEventType.SIGNOFF_REJECTED, WebhookEventType.ACTION_OVERDUE,
    WebhookEventType.CUTOVER_STEP_LATE, WebhookEventType.FINDING_RAISED,
}  # fmt: skip
COLOURS = {"good": "198754", "bad": "DC3545", "neutral": "0D6EFD"}
SLACK_TEXT_LIMIT = 3000  # Slack refuses a section text longer than this


def _colour(event):
    if event in GOOD:
        return COLOURS["good"]
    return COLOURS["bad"] if event in BAD else COLOURS["neutral"]


def generic_body(event, project_name):
    return {
        "id": str(event.pk),
        "event": event.event,
        "event_label": WebhookEventType(event.event).label,
        "created_at": event.created_at.isoformat(),
        "project": {"id": event.project_id, "name": project_name},
        "title": event.title,
        "text": event.text,
        "url": event.url,
        "actor": event.actor,
        "data": event.data,
    }


def teams_body(event, project_name):
    """An Office 365 connector message card (what a Teams incoming webhook accepts)."""
    facts = [{"name": "Project", "value": project_name},
             {"name": "Event", "value": WebhookEventType(event.event).label}]  # fmt: skip
    if event.actor:
        facts.append({"name": "By", "value": event.actor})
    card = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": f"{project_name}: {event.title}",
        "themeColor": _colour(event.event),
        "title": event.title,
        "sections": [
            {"activityTitle": project_name, "text": event.text or event.title, "facts": facts}
        ],
    }
    if event.url:
        card["potentialAction"] = [
            {"@type": "OpenUri", "name": "Open in readiness",
             "targets": [{"os": "default", "uri": event.url}]}
        ]  # fmt: skip
    return card


def slack_escape(text):
    """Slack's mrkdwn reads &, < and > as markup: escape them."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(event, project_name):
    """A Slack incoming-webhook message: blocks, with ``text`` for notifications."""
    label = WebhookEventType(event.event).label
    context = f"*{slack_escape(project_name)}* · {label}"
    if event.actor:
        context += f" · by {slack_escape(event.actor)}"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": event.title[:150]}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": context}]},
    ]
    if event.text:
        text = slack_escape(event.text)[:SLACK_TEXT_LIMIT]
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text}})
    if event.url:
        blocks.append(
            {"type": "actions", "elements": [
                {"type": "button", "text": {"type": "plain_text", "text": "Open in readiness"},
                 "url": event.url}
            ]}
        )  # fmt: skip
    return {"text": f"{project_name}: {event.title}", "blocks": blocks}


BUILDERS = {
    WebhookFormat.GENERIC: generic_body,
    WebhookFormat.TEAMS: teams_body,
    WebhookFormat.SLACK: slack_body,
}


def body_bytes(webhook_format, event, project_name):
    """The exact bytes posted (and signed)."""
    body = BUILDERS[webhook_format](event, project_name)
    return json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
