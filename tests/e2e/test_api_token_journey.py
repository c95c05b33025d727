"""A project manager makes an API token on the profile page, a script uses it, and the API
docs page works in the browser under the site's Content-Security-Policy."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def test_project_manager_makes_a_token_and_reads_the_api_docs(page_for, demo):
    page = page_for("pm@demo.example.com")
    console_errors = []
    page.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)

    page.get_by_role("button", name="Paul Manager").click()
    page.get_by_role("link", name="API tokens").click()
    expect(page.get_by_text("You have no API tokens yet")).to_be_visible()
    new = page.get_by_role("region", name="New token")
    new.get_by_label("Name").fill("Jira sync")
    new.get_by_label("Scope").select_option("read")
    new.get_by_label("Expires after").select_option("90")
    new.get_by_role("button", name="Make token").click()
    expect(page.get_by_text("it is shown only this once")).to_be_visible()
    secret = page.get_by_label("The new token").input_value()
    assert secret.startswith("rdy_")

    # A script with the token reads; the token cannot write.
    api = page.context.request
    projects = api.get("/api/v1/projects/", headers={"Authorization": f"Bearer {secret}"})
    assert projects.status == 200
    assert demo["project"].name in [row["name"] for row in projects.json()["results"]]
    refused = api.post(
        f"/api/v1/projects/{demo['project'].pk}/findings/",
        headers={"Authorization": f"Bearer {secret}"},
        data={"title": "From a script", "type": "assertion"},
    )
    assert refused.status == 403

    # Reloaded, the page shows the token by its prefix and when it was last used.
    page.goto("/profile/")
    expect(page.get_by_text("Jira sync", exact=True)).to_be_visible()
    expect(page.get_by_text("last used 0\u00a0minutes ago")).to_be_visible()
    assert secret not in page.content()

    # The docs page: Swagger UI from our own static files, calling the API with the session.
    page.get_by_role("button", name="Paul Manager").click()
    page.get_by_role("link", name="API documentation").click()
    expect(page.get_by_text("readiness API")).to_be_visible()
    operation = page.locator("#operations-v1-v1_projects_list")
    operation.locator(".opblock-summary").click()
    operation.get_by_role("button", name="Try it out").click()
    operation.get_by_role("button", name="Execute").click()
    expect(operation.locator(".live-responses-table tbody .response-col_status")).to_have_text(
        "200"
    )
    assert [e for e in console_errors if "Content Security Policy" in e] == []
