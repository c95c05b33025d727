from django import template
from django.template.loader import get_template

from discussions.mentions import render_mentions

register = template.Library()


@register.filter
def with_mentions(comment_or_text, mentions=None):
    """A comment's body with its mentions highlighted (or a text with the ``mentions`` given)."""
    if hasattr(comment_or_text, "body"):
        return render_mentions(comment_or_text.body, comment_or_text.mentions)
    return render_mentions(comment_or_text, mentions)


@register.simple_tag(takes_context=True)
def questions_panel(context, panel):
    """The questions panel of ``panel`` (``discussions.selectors.thread_panel``'s dict), with
    the page's request for the CSRF token."""
    template = get_template("discussions/includes/_panel.html#panel")
    return template.render(panel, request=context.get("request"))
