"""Security as a user meets it: login throttling, CSP without inline scripts, headers, CSRF.

Evidence uploads above the size limit or of a disallowed type are covered where evidence
lives: tests/reviews/test_evidence.py (test_upload_above_size_limit_is_refused and
test_bad_uploads_are_refused_with_a_message); they are not repeated here.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from projects.models import Role
from tests.factories import DEMO_PASSWORD, UserFactory, make_review

TEMPLATES = Path(settings.BASE_DIR) / "templates"
LOCKED_OUT = "Too many failed log-ins"  # templates/registration/locked_out.html


def _log_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def _logged_in(client):
    return "_auth_user_id" in client.session


# --- Login throttling (django-axes) ---------------------------------------------------


def test_login_is_locked_after_the_failure_limit_even_with_the_right_password(db):
    user = UserFactory(email="target@example.com")
    client = Client()
    for attempt in range(1, settings.AXES_FAILURE_LIMIT):
        response = _log_in(client, user.email, f"wrong-{attempt}")
        assert response.status_code == 200, f"attempt {attempt} answered {response.status_code}"
        assert LOCKED_OUT not in response.text
    last = _log_in(client, user.email, "wrong-last")
    assert LOCKED_OUT in last.text

    response = _log_in(client, user.email, DEMO_PASSWORD)
    assert LOCKED_OUT in response.text
    assert "This account is locked for a few minutes" in response.text
    assert not _logged_in(client)


def test_lockout_is_per_account_others_still_log_in(db):
    target = UserFactory(email="target@example.com")
    bystander = UserFactory(email="bystander@example.com")
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, target.email, f"wrong-{attempt}")
    response = _log_in(client, bystander.email, DEMO_PASSWORD)
    assert response.status_code == 302
    assert _logged_in(client)


def test_a_success_before_the_limit_resets_the_count(db):
    user = UserFactory(email="forgetful@example.com")
    client = Client()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, user.email, f"wrong-{attempt}")
    assert _log_in(client, user.email, DEMO_PASSWORD).status_code == 302
    client.logout()
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        _log_in(client, user.email, f"again-wrong-{attempt}")
    assert _log_in(client, user.email, DEMO_PASSWORD).status_code == 302


# --- Content-Security-Policy and other headers ------------------------------------------


def _directives(header):
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


@pytest.fixture
def pages(client_for, project, members):
    """A few pages of every kind (public, list, detail, htmx fragment) as a facilitator."""
    review = make_review(project, acting_user=members[Role.FACILITATOR])
    item = review.items.first()
    client = client_for(members[Role.FACILITATOR])
    return client, [
        ("home", reverse("home"), {}),
        ("project", project.get_absolute_url(), {}),
        ("review", review.get_absolute_url(), {}),
        ("workshop mode", reverse("reviews:workshop_mode", args=[project.pk, review.pk]), {}),
        ("register", reverse("risks:register", args=[project.pk]), {}),
        ("item editor (htmx)", f"{item.get_absolute_url()}edit/", {"HTTP_HX_REQUEST": "true"}),
    ]


def test_pages_send_a_csp_that_allows_scripts_from_the_site_only(pages):
    client, urls = pages
    anonymous = Client().get(reverse("login"))
    responses = [("login", anonymous)] + [(n, client.get(u, **h)) for n, u, h in urls]
    for name, response in responses:
        assert response.status_code == 200, name
        header = response.headers.get("Content-Security-Policy")
        assert header, f"{name}: no Content-Security-Policy header"
        directives = _directives(header)
        scripts = directives.get("script-src", directives.get("default-src"))
        assert scripts == ["'self'"], f"{name}: script-src is {scripts}"
        assert "'unsafe-eval'" not in header, name
        assert directives.get("object-src") == ["'none'"], name
        assert directives.get("frame-ancestors") == ["'none'"], name


def test_pages_send_the_other_security_headers(pages):
    client, urls = pages
    for name, url, headers in urls:
        response = client.get(url, **headers)
        assert response.headers.get("X-Frame-Options") == "DENY", name
        assert response.headers.get("X-Content-Type-Options") == "nosniff", name
        assert response.headers.get("Referrer-Policy") == "same-origin", name


def test_rendered_pages_carry_no_inline_script(pages):
    """Template tags build HTML in Python too; what reaches the browser has no inline code."""
    client, urls = pages
    for name, url, headers in urls:
        html = client.get(url, **headers).text
        for tag in re.findall(r"<script\b[^>]*>", html, flags=re.IGNORECASE):
            assert re.search(r"\bsrc=", tag), f"{name}: inline script {tag}"
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html, flags=re.IGNORECASE), name
        assert "javascript:" not in html.lower(), name


def _template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file() and p.suffix in {".html", ".txt"})


def test_templates_contain_no_inline_scripts_or_event_handlers():
    offenders = []
    for path in _template_files():
        text = path.read_text(encoding="utf-8")
        where = path.relative_to(TEMPLATES)
        for tag in re.findall(r"<script\b[^>]*>", text, flags=re.IGNORECASE):
            if not re.search(r"\bsrc=", tag):
                offenders.append(f"{where}: inline <script> block {tag}")
        for handler in re.findall(r"<[^>]+\s(on[a-z]+|hx-on[:\w-]*)\s*=", text, flags=re.I):
            offenders.append(f"{where}: inline event handler {handler}=")
        if "javascript:" in text.lower():
            offenders.append(f"{where}: javascript: URL")
    assert len(_template_files()) > 20, "the template walk found too few templates"
    assert not offenders, "\n".join(offenders)


# --- CSRF -------------------------------------------------------------------------------


def test_a_form_post_without_the_csrf_token_is_refused(db, project, members):
    client = Client(enforce_csrf_checks=True)
    client.force_login(members[Role.PROJECT_MANAGER])
    response = client.post(
        reverse("projects:project_edit", args=[project.pk]), {"name": "Renamed by a forged post"}
    )
    assert response.status_code == 403
    project.refresh_from_db()
    assert project.name != "Renamed by a forged post"
