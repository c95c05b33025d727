"""The 5 x 5 likelihood x impact heat map, with the geometry of its SVG."""

from dataclasses import dataclass, field
from functools import cached_property

from django.db.models import Count

from core.fragments import attach_cached_html, fragment_key
from risks.models import SeverityBand, severity_band

SVG_TEMPLATE = "risks/includes/_heatmap.svg.html"

RATING_RANGE = range(1, 6)


# Cell colours of the heat map by severity band (light tints, dark text stays readable).
BAND_FILLS = {
    SeverityBand.LOW: "#a3cfbb",
    SeverityBand.MEDIUM: "#ffe69c",
    SeverityBand.HIGH: "#fecba1",
    SeverityBand.CRITICAL: "#f1aeb5",
}


@dataclass
class HeatMapCell:
    likelihood: int
    impact: int
    count: int
    url: str | None = None
    selected: bool = False
    x: int = 0
    y: int = 0
    cx: float = 0  # where the count is written
    cy: float = 0

    @property
    def score(self):
        return self.likelihood * self.impact

    @property
    def band(self):
        return severity_band(self.score)

    @property
    def fill(self):
        return BAND_FILLS[self.band]

    @property
    def label(self):
        """What a screen reader announces for the cell (and the tooltip shows)."""
        findings = f"{self.count} finding{'' if self.count == 1 else 's'}"
        return (
            f"Likelihood {self.likelihood}, impact {self.impact}: {findings}, "
            f"{self.band.label.lower()} (score {self.score})"
        )


@dataclass
class HeatMap:
    """A 5 x 5 likelihood (across) x impact (up) grid, with the geometry of its SVG."""

    cells: list = field(default_factory=list)
    total: int = 0
    cell_size: int = 48
    left: int = 44
    top: int = 8
    title: str = "Risk heat map"
    dom_id: str = "heatmap"

    @property
    def linked(self):
        return any(cell.url for cell in self.cells)

    @property
    def grid(self):
        return self.cell_size * 5

    @property
    def width(self):
        return self.left + self.grid + 8

    @property
    def height(self):
        return self.top + self.grid + 40

    @property
    def likelihood_ticks(self):
        return [(n, self.left + (n - 0.5) * self.cell_size) for n in RATING_RANGE]

    @property
    def likelihood_axis_y(self):
        return self.top + self.grid + 14

    @property
    def axis_title_y(self):
        return self.top + self.grid + 32

    @property
    def impact_ticks(self):
        return [(n, self.top + (5 - n + 0.5) * self.cell_size) for n in RATING_RANGE]

    @property
    def svg_key(self):
        """The drawing's cache key: what it shows (counts, links, selection, title)."""
        facts = (
            self.title, self.dom_id, self.cell_size, self.left, self.top,
            [(cell.count, cell.url, cell.selected) for cell in self.cells],
        )  # fmt: skip
        return fragment_key("heatmap", SVG_TEMPLATE, 0, facts)

    @cached_property
    def svg(self):
        """The drawing (``_heatmap.svg.html``), from the fragment cache: its 25 cells cost
        more to render than the rest of a register page's template, and a map with the
        same counts, links and selection draws the same every time."""
        attach_cached_html(
            [self],
            template_name=SVG_TEMPLATE,
            key=lambda heatmap: heatmap.svg_key,
            context=lambda heatmap: {"heatmap": heatmap},
            attr="_svg_html",
        )
        return self._svg_html


def heatmap(queryset, *, cell_url=None, selected=None, title="Risk heat map", dom_id="heatmap"):
    """Counts per (likelihood, impact) of a queryset of findings (unrated ones are skipped).

    ``cell_url(likelihood, impact)`` makes each cell a link; ``selected`` is a
    (likelihood, impact) pair to highlight.
    """
    counts = {
        (likelihood, impact): n
        for likelihood, impact, n in queryset.filter(likelihood__isnull=False, impact__isnull=False)
        .order_by()
        .values_list("likelihood", "impact")
        .annotate(n=Count("pk"))
    }
    result = HeatMap(title=title, total=sum(counts.values()), dom_id=dom_id)
    for impact in reversed(RATING_RANGE):
        for likelihood in RATING_RANGE:
            result.cells.append(
                HeatMapCell(
                    likelihood=likelihood,
                    impact=impact,
                    count=counts.get((likelihood, impact), 0),
                    url=cell_url(likelihood, impact) if cell_url else None,
                    selected=selected == (likelihood, impact),
                    x=result.left + (likelihood - 1) * result.cell_size,
                    y=result.top + (5 - impact) * result.cell_size,
                    cx=result.left + (likelihood - 0.5) * result.cell_size,
                    cy=result.top + (5 - impact + 0.5) * result.cell_size + 5,
                )
            )
    return result
