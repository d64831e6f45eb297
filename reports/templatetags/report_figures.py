from __future__ import annotations

from django import template

from reports.figures import HIDDEN, SMALL, Row

register = template.Library()


@register.filter
def shown(row: Row, name: str) -> str:
    """A figure as the report shows it: a count, a percentage, or "*" if hidden."""
    return row.shown(name)


@register.filter
def small(count: int) -> str:
    """A single count on its own: hidden when it is 1 to 4."""
    return HIDDEN if count in SMALL else str(count)
