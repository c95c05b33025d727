"""Every page a member can open is well nested: a block left open (or closed twice) by an
include or a partial pushes the rest of the page out of its column, which no other
assertion notices."""

from html.parser import HTMLParser

import pytest

from projects.models import Role
from tests.urlwalk import fill, iter_patterns, kwarg_names
from tests.worlds import project_world

CHECKED_TAGS = {"div", "section", "form", "ul", "ol", "table", "nav", "main", "aside", "details"}


class _Nesting(HTMLParser):
    def __init__(self):
        super().__init__()
        self.open, self.problems = [], []

    def handle_starttag(self, tag, attrs):
        if tag in CHECKED_TAGS:
            self.open.append((tag, self.getpos()[0]))

    def handle_endtag(self, tag):
        if tag not in CHECKED_TAGS:
            return
        if not self.open or self.open[-1][0] != tag:
            expected = self.open[-1] if self.open else ("nothing", 0)
            self.problems.append(f"line {self.getpos()[0]}: </{tag}> closes {expected}")
            return
        self.open.pop()


def nesting_problems(html):
    parser = _Nesting()
    parser.feed(html)
    parser.close()
    return parser.problems + [f"<{tag}> of line {line} never closed" for tag, line in parser.open]


@pytest.mark.django_db
def test_every_page_of_a_project_is_well_nested(client):
    ids, members = project_world()
    client.force_login(members[Role.PROJECT_MANAGER])
    checked, problems = 0, {}
    for name, route, _ in iter_patterns():
        if name in {"logout", "health"} or not set(kwarg_names(route)) <= set(ids):
            continue
        response = client.get(fill(route, ids) if kwarg_names(route) else "/" + route)
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        checked += 1
        found = nesting_problems(response.text)
        if found:
            problems[name] = found[:3]
    assert checked > 30
    assert problems == {}


def test_the_nesting_check_finds_a_stray_closing_tag():
    assert nesting_problems("<div><section></section></section></div>")
    assert nesting_problems("<div><ul><li>x</li></ul>") == ["<div> of line 1 never closed"]
    assert nesting_problems("<div><section><p>ok</section></div>") == []
