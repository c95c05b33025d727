import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from risks.models import SEVERITY_BANDS, Risk, severity_band, severity_score_range
from tests.factories import RiskFactory


@pytest.mark.parametrize(
    ("likelihood", "impact", "score", "band"),
    [
        (1, 1, 1, "low"),
        (2, 2, 4, "low"),
        (1, 4, 4, "low"),
        (1, 5, 5, "medium"),
        (3, 3, 9, "medium"),
        (2, 4, 8, "medium"),
        (2, 5, 10, "high"),
        (3, 4, 12, "high"),
        (4, 4, 16, "high"),
        (3, 5, 15, "high"),
        (4, 5, 20, "critical"),
        (5, 5, 25, "critical"),
    ],
)
def test_risk_score_and_severity_band(likelihood, impact, score, band):
    risk = Risk(type="risk", likelihood=likelihood, impact=impact)
    assert risk.score == score
    assert risk.severity == band
    assert risk.get_severity_display() == band.capitalize()


def test_severity_bands_cover_every_possible_score_once():
    scores = {likelihood * impact for likelihood in range(1, 6) for impact in range(1, 6)}
    for score in scores:
        matching = [band for band, low, high in SEVERITY_BANDS if low <= score <= high]
        assert len(matching) == 1, score
    low, high = severity_score_range("critical")
    assert low <= 20
    assert high == 25


def test_unrated_assertion_has_no_score_or_band():
    assertion = Risk(type="assertion")
    assert assertion.score is None
    assert assertion.severity is None
    assert severity_band(None) is None


def test_severity_band_refuses_an_impossible_score():
    with pytest.raises(ValueError, match="between 1 and 25"):
        severity_band(26)


def test_risk_clean_requires_rating_for_risks_and_issues():
    with pytest.raises(ValidationError) as caught:
        Risk(type="issue", title="x").clean()
    assert set(caught.value.message_dict) == {"likelihood", "impact"}


def test_assertion_cannot_be_a_blocker():
    with pytest.raises(ValidationError) as caught:
        Risk(type="assertion", title="x", is_blocker=True).clean()
    assert "is_blocker" in caught.value.message_dict


@pytest.mark.django_db
@pytest.mark.parametrize(("likelihood", "impact"), [(0, 3), (3, 6), (None, 3)])
def test_database_refuses_ratings_out_of_range(likelihood, impact):
    with pytest.raises(IntegrityError), transaction.atomic():
        RiskFactory(likelihood=likelihood, impact=impact)
