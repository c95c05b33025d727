import pytest
from django.urls import reverse

from projects.models import Role
from reviews.models import Review, ReviewItem, TemplateItem
from tests.factories import make_review, make_template


def test_review_copies_items_that_apply_to_project_scopes(project, members):
    project.scopes = ["finance_operations"]
    project.save()
    template = make_template(
        scopes_by_item={
            "item-0-1": ["customer_engagement"],
            "item-0-2": ["finance_operations"],
            "item-1-1": ["ax2012_upgrade", "finance_operations"],
            "item-1-2": ["ai_agents"],
        }
    )
    review = make_review(project, template=template, acting_user=members[Role.FACILITATOR])
    keys = set(review.items.values_list("key", flat=True))
    assert keys == {"item-0-0", "item-0-2", "item-1-0", "item-1-1"}


def test_review_without_matching_scopes_skips_empty_sections(project, members):
    project.scopes = []
    project.save()
    template = make_template(
        scopes_by_item={f"item-1-{i}": ["customer_engagement"] for i in range(3)}
    )
    review = make_review(project, template=template)
    assert list(review.sections.values_list("key", flat=True)) == ["area-0"]


def test_template_edit_never_rewrites_a_past_review(project, members):
    template = make_template()
    review = make_review(project, template=template)
    TemplateItem.objects.filter(template=template).update(title="Changed later")
    assert not review.items.filter(title="Changed later").exists()
    assert review.items.get(key="item-0-0").title == "Item 0.0"


def test_mandatory_and_severity_come_from_the_template_and_nothing_starts_as_a_blocker(
    project,
):
    """A go-live blocker is what the team flags, not what the template says is blocking."""
    review = make_review(project)
    first = review.items.get(key="item-0-0")
    other = review.items.get(key="item-0-1")
    assert (first.mandatory, first.severity, first.signoff_roles) == (
        True,
        "blocker",
        ["business_owner"],
    )
    assert (other.mandatory, other.severity) == (False, "high")
    assert not review.items.filter(is_blocker=True).exists()


def test_create_review_page(client_for, project, members):
    template = make_template()
    response = client_for(members[Role.FACILITATOR]).post(
        reverse("reviews:review_create", args=[project.pk]),
        {
            "template": template.pk,
            "title": "First review",
            "facilitator": members[Role.FACILITATOR].pk,
        },
        follow=True,
    )
    review = Review.objects.get(title="First review")
    assert "Review created with 6 checklist items." in response.text
    assert review.items.count() == 6
    assert review.template_version == 1


@pytest.mark.parametrize("role", [Role.APPROVER, Role.CONTRIBUTOR, Role.VIEWER])
def test_only_facilitator_and_manager_create_reviews(client_for, project, members, role):
    template = make_template()
    response = client_for(members[role]).post(
        reverse("reviews:review_create", args=[project.pk]), {"template": template.pk, "title": "X"}
    )
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_facilitator_must_be_a_member(client_for, project, members, outsider):
    template = make_template()
    response = client_for(members[Role.PROJECT_MANAGER]).post(
        reverse("reviews:review_create", args=[project.pk]),
        {"template": template.pk, "title": "X", "facilitator": outsider.pk},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text
    assert not ReviewItem.objects.exists()


def test_review_list_empty_state(client_for, project, members):
    response = client_for(members[Role.VIEWER]).get(
        reverse("reviews:review_list", args=[project.pk])
    )
    assert "No readiness review yet." in response.text
    assert "Create the first review" not in response.text  # viewers cannot create


def test_review_sections_keep_the_expected_outcome_shown_to_the_team(client_for, project, members):
    template = make_template(sections=1, items_per_section=1)
    template.sections.update(expected_outcome="Every test cycle signed off by the business.")
    review = make_review(project, template=template, acting_user=members[Role.FACILITATOR])
    section = review.sections.get()
    assert section.expected_outcome == "Every test cycle signed off by the business."
    template.sections.update(expected_outcome="Edited later")  # the review keeps its copy
    client = client_for(members[Role.VIEWER])
    for path in (
        review.get_absolute_url(),
        reverse("reviews:workshop_mode", args=[project.pk, review.pk]),
    ):
        page = client.get(path).text
        assert "Every test cycle signed off by the business." in page, path
        assert "Edited later" not in page
