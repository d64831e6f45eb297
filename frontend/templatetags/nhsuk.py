"""Template helpers for NHS.UK frontend markup."""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from frontend.forms import NhsDateWidget
from frontend.unsaved import FIELD, owner_note

register = template.Library()

_CLASSES = {
    "select": ("nhsuk-select", "nhsuk-select--error"),
    "textarea": ("nhsuk-textarea", "nhsuk-textarea--error"),
    "input": ("nhsuk-input", "nhsuk-input--error"),
}


@register.filter
def field_kind(field: forms.BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, NhsDateWidget):
        return "date"
    # CheckboxSelectMultiple is a subclass of RadioSelect, so it is asked about first.
    if isinstance(widget, forms.CheckboxSelectMultiple):
        return "checkboxes"
    if isinstance(widget, forms.RadioSelect):
        return "radios"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.Select):
        return "select"
    if isinstance(widget, forms.Textarea):
        return "textarea"
    return "input"


def describedby(field: forms.BoundField) -> str:
    ids = []
    if field.help_text:
        ids.append(f"{field.auto_id}-hint")
    if field.errors:
        ids.append(f"{field.auto_id}-error")
    return " ".join(ids)


@register.filter
def aria_describedby(field: forms.BoundField) -> str:
    return describedby(field)


@register.filter
def character_limit(field: forms.BoundField) -> int | None:
    """The most characters a text area takes: shown counting down as the person types
    (the NHS.UK character count), never enforced by the browser cutting their text off."""
    if field_kind(field) != "textarea":
        return None
    return getattr(field.field, "max_length", None)


@register.filter
def nhs_widget(field: forms.BoundField) -> SafeString:
    """The field's own widget with the component class, error state and description."""
    kind = field_kind(field)
    base, error = _CLASSES.get(kind, _CLASSES["input"])
    limit = character_limit(field)
    css = " ".join(
        c
        for c in (
            base,
            error if field.errors else "",
            field.field.widget.attrs.get("class"),
            "nhsuk-js-character-count" if limit else "",
        )
        if c
    )
    attrs: dict[str, Any] = {"class": css}
    description = describedby(field)
    if limit:
        # Over the limit is a clear error on saving, with the text kept; not a silent cut.
        attrs["maxlength"] = False
        description = f"{field.auto_id}-info {description}".strip()
    if description:
        attrs["aria-describedby"] = description
    return field.as_widget(attrs=attrs)


@register.filter
def date_parts(field: forms.BoundField) -> list[dict[str, Any]]:
    """Day, month and year boxes of an NHS date input, with their current values."""
    value = field.value()
    if not isinstance(value, list | tuple):
        value = field.field.widget.decompress(value)
    parts = []
    for index, (_, label, width) in enumerate(NhsDateWidget.PARTS):
        parts.append(
            {
                "id": f"{field.auto_id}_{index}",
                "name": f"{field.html_name}_{index}",
                "label": label,
                "width": width,
                "value": value[index] if value and index < len(value) and value[index] else "",
            }
        )
    return parts


@register.filter
def error_anchor(field: forms.BoundField) -> str:
    """Where the error summary's link for this field should land: its first input."""
    if field_kind(field) in {"date", "radios", "checkboxes"}:
        return f"{field.auto_id}_0"
    return str(field.auto_id)


@register.simple_tag(takes_context=True)
def keep_if_signed_out(context: dict[str, Any]) -> SafeString:
    """A signed note of who this form was shown to: if their session ends before they save,
    what they typed is kept for them (frontend/unsaved.py)."""
    user = context["request"].user
    if not user.is_authenticated:
        return SafeString("")
    return format_html('<input type="hidden" name="{}" value="{}">', FIELD, owner_note(user.pk))
