"""The API's list of 500 findings beside the risk register page of the same findings.

- API: ``GET /api/v1/projects/<id>/findings/?page_size=100`` with a personal access token
  (100 rows, as many as a register page shows), JSON.
- Page, from the same run: the risk register (``/projects/<id>/risks/``, 100 rows, HTML,
  with its heat map), and the bare-Django floor page of the register's size.

Targets (issue 16): the API list makes <= 10 queries and takes <= 3x the register page.

Run: .venv/bin/python bench/bench_api.py
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import common

MAX_QUERIES = 10
MAX_RATIO = 3.0


def run(requests=50):
    common.setup()
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from accounts.services import access_token_create
    from bench.bench_register import seed_register
    from projects.models import Role

    settings.API_THROTTLE_RATE = "1000000/minute"  # the bench measures, it does not throttle
    project, people = seed_register()
    pm = people[Role.PROJECT_MANAGER]
    _, secret = access_token_create(acting_user=pm, name="bench", scope="read", days=7)
    browser = Client()
    browser.force_login(pm)
    api = Client(headers={"Authorization": f"Bearer {secret}"})
    api.force_login(pm)  # for the floor page only: the API reads the token
    page = common.measure_page(browser, reverse("risks:register", args=[project.pk]), requests)
    listed = common.measure_page(
        api, f"/api/v1/projects/{project.pk}/findings/?page_size=100", requests
    )
    big = common.measure_page(
        api, f"/api/v1/projects/{project.pk}/findings/?page_size=200", requests
    )
    ratio = listed["ms"] / page["ms"]
    return {
        "findings": 500, "page": page, "api": listed, "api_200": big,
        "api_over_page": round(ratio, 2),
        "ok": listed["queries"] <= MAX_QUERIES and ratio <= MAX_RATIO,
    }  # fmt: skip


def lines(figures):
    rows = [
        ("register page (100 rows)", figures["page"]),
        ("API findings (100 rows)", figures["api"]),
        ("API findings (200 rows)", figures["api_200"]),
    ]
    return [
        f"API list of {figures['findings']} findings beside the risk register page "
        "(each beside the bare-Django floor page of its size):",
        common.HEADER,
        *(common.format_row(name, row) for name, row in rows),
        f"API over page: {figures['api_over_page']:.2f}x (target <= {MAX_RATIO}x); API queries "
        f"{figures['api']['queries']} (target <= {MAX_QUERIES}).",
        "OK" if figures["ok"] else "NOT OK",
    ]


def main():
    return common.report(run(), lines)


if __name__ == "__main__":
    sys.exit(main())
