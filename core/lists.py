"""Bounded lists: the first rows of a list that grows with the data, and how many in all.

Pages that show a growing list (home, the project page, the gate) show its first rows and
link to the full, paged list; the count comes from SQL, so the page costs the same at any
size.
"""

from dataclasses import dataclass

from django.core.paginator import EmptyPage, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property


@dataclass
class Bounded:
    """The first ``rows`` of a list and the ``count`` of the whole list (with ``capped``, the
    list holds more than ``count``: the page says "99+")."""

    rows: list
    count: int
    capped: bool = False

    @property
    def more(self):
        """How many rows the page leaves out (the "see all" link says so)."""
        return self.count - len(self.rows)

    @property
    def count_label(self):
        return f"{self.count}+" if self.capped else str(self.count)

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)

    def __bool__(self):
        return bool(self.count)


def bounded(queryset, limit, *, cap=None):
    """The first ``limit`` rows of ``queryset`` and the count of all, in one query (the
    count is a window over the whole result, taken before the LIMIT): the same number of
    queries whatever the size of the list.

    With ``cap``, a list that may run into thousands (someone's overdue actions across
    every project) is counted up to ``cap`` only, in a second query that stops there: the
    rows come in index order without counting or sorting the whole list.
    """
    if cap is None:
        rows = list(queryset.annotate(bounded_total=Window(Count("pk")))[:limit])
        return Bounded(rows, rows[0].bounded_total if rows else 0)
    rows = list(queryset[:limit])
    if len(rows) < limit:
        return Bounded(rows, len(rows))
    count = queryset.order_by()[: cap + 1].count()
    return Bounded(rows, min(count, cap), capped=count > cap)


def bounded_list(rows, limit):
    """The same for a list already in memory."""
    return Bounded(list(rows[:limit]), len(rows))


def page_of(rows, request, per_page):
    """The page of ``rows`` the request asks for (``?page=``; a bad number gives the first
    or the last page, never an error), with Django's Paginator."""
    return Paginator(rows, per_page).get_page(request.GET.get("page"))


class CappedPaginator(Paginator):
    """A Paginator that counts a queryset only up to ``cap`` rows, for a list that may run
    into thousands (someone's actions across every project): the first ``cap //
    per_page`` pages cost the same at any size and say "Page 1 of 10+ (500+ actions)"
    (``num_pages_label``, ``count_label``); asking for a page past them counts everything.
    """

    def __init__(self, object_list, per_page, *, cap):
        if cap % per_page:
            raise ValueError("cap must be a whole number of pages")
        super().__init__(object_list, per_page)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self):
        counted = self.object_list.order_by()[: self.cap + 1].count()
        # One row past the cap stands for "more": a next page after the last capped one.
        self.capped = counted > self.cap
        return counted

    def validate_number(self, number):
        try:
            valid = super().validate_number(number)
        except EmptyPage:
            if not self.capped:
                raise
            valid = None
        if self.capped and (valid is None or valid >= self.num_pages):
            # Past the capped pages: count them all, and page as Paginator does.
            self.capped = False
            self.__dict__["count"] = self.object_list.count()
            self.__dict__.pop("num_pages", None)
            return super().validate_number(number)
        return valid

    @property
    def count_label(self):
        return f"{self.cap}+" if self.capped else str(self.count)

    @property
    def num_pages_label(self):
        return f"{self.cap // self.per_page}+" if self.capped else str(self.num_pages)


def counts_by(queryset, field):
    """How many rows of ``queryset`` there are per value of ``field`` (one GROUP BY)."""
    return dict(queryset.order_by().values_list(field).annotate(n=Count("pk")))
