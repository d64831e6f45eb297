from __future__ import annotations

from django import template

from reports.figures import Row, count_shown

register = template.Library()


@register.filter
def shown(row: Row, name: str) -> str:
    """A figure as the report shows it: a count, a percentage, or "*" if hidden."""
    return row.shown(name)


@register.filter
def small(count: int) -> str:
    return count_shown(count)
