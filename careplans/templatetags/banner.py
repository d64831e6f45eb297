"""`{% patient_banner patient %}`: the banner at the top of every page about a patient."""

from __future__ import annotations

from typing import Any

from django import template

from careplans.selectors import banner_for
from patients.models import Patient

register = template.Library()


@register.inclusion_tag("includes/patient_banner.html")
def patient_banner(patient: Patient) -> dict[str, Any]:
    """Precondition: the page's view already checked the viewer may see `patient`."""
    return {"banner": banner_for(patient)}
