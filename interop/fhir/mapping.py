"""The published plan as FHIR R4 resources on UK Core (shared/reference/fhir-mapping-notes.md,
after the NHS End of Life API patterns). Pure functions of the patient, the published
version and the consent: the same version always gives the same resources, ids included."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from typing import Any

from django import forms

from careplans import terminology as t
from careplans.models import PublishedVersion
from careplans.sections import SECTIONS
from consent.models import ConsentToShare, LastingPowerOfAttorney
from frontend.forms import NhsDateField
from patients.models import KeyContact, KeyContactKind, Patient

Resource = dict[str, Any]

SNOMED = "http://snomed.info/sct"
LOCAL = "https://openepaccs.org/fhir/CodeSystem/local"
NHS_NUMBER = "https://fhir.nhs.uk/Id/nhs-number"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
UKCORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
NHS_NUMBER_STATUS = (
    "https://fhir.hl7.org.uk/StructureDefinition/Extension-UKCore-NHSNumberVerificationStatus"
)
NHS_NUMBER_STATUS_CODES = (
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
)
LPA_FLAG = (
    "816361000000101",
    "Has appointed person with personal welfare lasting power of attorney",
)
TYPES = (
    "Patient",
    "CarePlan",
    "CareTeam",
    "Flag",
    "Consent",
    "Condition",
    "RelatedPerson",
    "MedicationStatement",
    "QuestionnaireResponse",
    "ClinicalImpression",
)


def coding(code: str, value_set: t.ValueSet | None = None, display: str = "") -> Resource:
    """A coding of a SNOMED CT code, or of a local one ("local:..."), with its term."""
    concept = value_set.get(code) if value_set is not None else None
    term = display or (concept.term if concept else "")
    if code.startswith("local:"):
        result = {"system": LOCAL, "code": code.removeprefix("local:")}
    else:
        result = {"system": SNOMED, "code": code}
    if term:
        result["display"] = term
    return result


def concept(code: str, value_set: t.ValueSet) -> Resource:
    return {"coding": [coding(code, value_set)], "text": value_set.plain(code) or code}


SHORT = {
    "CarePlan": "careplan",
    "CareTeam": "careteam",
    "Flag": "flag",
    "QuestionnaireResponse": "qr",
    "RelatedPerson": "rp",
    "MedicationStatement": "ms",
    "ClinicalImpression": "ci",
    "Condition": "cond",
}


def resource_id(version: PublishedVersion, name: str) -> str:
    """A stable id for one resource of one version: the version's public id, then the
    part ("Flag/cpr" -> "...-flag-cpr"); FHIR ids have 64 characters at most."""
    kind, _, part = name.partition("/")
    return f"{version.public_id}-{SHORT.get(kind, kind.lower())}{'-' + part if part else ''}"


def version_id_of(resource_id: str) -> uuid.UUID | None:
    """The public id of the version a resource id belongs to, if it is one of ours."""
    try:
        return uuid.UUID(resource_id[:36])
    except ValueError:
        return None


def _ref(kind: str, ident: str) -> Resource:
    return {"reference": f"{kind}/{ident}"}


def patient_resource(patient: Patient) -> Resource:
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(patient.public_id),
        "meta": {"profile": [f"{UKCORE}Patient"]},
        "identifier": [
            {
                "system": NHS_NUMBER,
                "value": patient.nhs_number,
                "extension": [
                    {
                        "url": NHS_NUMBER_STATUS,
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "system": NHS_NUMBER_STATUS_CODES,
                                    "code": patient.nhs_number_status,
                                    "display": patient.get_nhs_number_status_display(),
                                }
                            ]
                        },
                    }
                ],
            }
        ],
        "name": [{"use": "official", "family": patient.family_name, "given": [patient.given_name]}],
        "gender": {"1": "male", "2": "female", "9": "other"}.get(patient.sex, "unknown"),
        "birthDate": patient.date_of_birth.isoformat(),
    }
    lines = [line for line in patient.address_lines if line]
    if lines:
        resource["address"] = [{"use": "home", "text": ", ".join(lines)}]
    if patient.phone:
        resource["telecom"] = [{"system": "phone", "value": patient.phone, "use": "home"}]
    if patient.date_of_death:
        resource["deceasedDateTime"] = patient.date_of_death.isoformat()
    practice = patient.registered_gp_practice
    if practice is not None:
        resource["generalPractitioner"] = [
            {"identifier": {"system": ODS, "value": practice.ods_code}, "display": practice.name}
        ]
    return resource


def everything(
    patient: Patient,
    version: PublishedVersion,
    consent: ConsentToShare | None,
    lpas: Sequence[LastingPowerOfAttorney] = (),
    key_contacts: Sequence[KeyContact] = (),
) -> list[Resource]:
    """Every resource of the published version, the Patient first; the LPAs in force come
    from the one LPA record, and the key worker and named GP (a CareTeam the CarePlan
    references) from the person's current key contacts."""
    sections: dict[str, dict[str, Any]] = version.snapshot.get("sections", {})
    subject = _ref("Patient", str(patient.public_id))
    resources = [patient_resource(patient), _careplan(version, subject, sections)]
    if key_contacts:
        team = _care_team(version, subject, key_contacts)
        resources[1]["careTeam"] = [_ref("CareTeam", team["id"])]
        resources.append(team)
    resources += _cpr(version, subject, sections.get("cpr_decision", {}))
    resources += _legal(version, subject, sections.get("legal", {}), lpas)
    resources += _preferences(version, subject, sections.get("preferences", {}))
    resources += _clinical(version, subject, sections.get("clinical", {}))
    resources += _medications(version, subject, sections.get("medications", {}))
    resources += _contacts(version, subject, sections.get("key_contacts", {}))
    resources.append(_whole_plan(version, subject, sections))
    if consent is not None:
        resources.append(_consent(consent, subject))
    if patient.date_of_death is not None:
        _ended_by_death(resources, patient.date_of_death)
    elif consent is None or consent.withdrawn_at is not None:
        resources[1]["status"] = "revoked"
    return resources


def _ended_by_death(resources: list[Resource], died_on: dt.date) -> None:
    """After a death nothing of the plan is in force: a system that filters on status must
    never find an active CPR decision, ADRT or LPA, nor an active plan, for someone who
    has died."""
    for resource in resources:
        kind = resource["resourceType"]
        if kind == "CarePlan":
            resource["status"] = "completed"
            resource["period"] = {**resource.get("period", {}), "end": died_on.isoformat()}
        elif kind == "Flag":
            resource["status"] = "inactive"
        elif kind == "MedicationStatement":
            resource["status"] = "stopped"
        elif kind == "CareTeam":
            resource["status"] = "inactive"


def _careplan(version: PublishedVersion, subject: Resource, sections: dict[str, Any]) -> Resource:
    escalation = sections.get("treatment_escalation", {})
    notes = [
        f"{label}: {escalation[name]}"
        for name, label in (
            ("trigger_factors", "Signs of deterioration"),
            ("what_should_happen", "What should happen if they deteriorate"),
            ("who_should_be_contacted", "Who to call"),
        )
        if escalation.get(name)
    ]
    resource: Resource = {
        "resourceType": "CarePlan",
        "id": resource_id(version, "CarePlan"),
        "meta": {
            "versionId": str(version.number),
            "lastUpdated": version.published_at.isoformat(),
            "profile": [f"{UKCORE}CarePlan"],
        },
        "status": "active",
        "intent": "plan",
        "title": "Palliative and end of life care plan",
        "category": [{"text": "Palliative and end of life care co-ordination"}],
        "subject": subject,
        "created": version.published_at.isoformat(),
        "author": {"display": f"{version.approved_by_name}, {version.approved_by_organisation}"},
    }
    if version.planned_review_date:
        resource["period"] = {"end": version.planned_review_date.isoformat()}
    cpr = sections.get("cpr_decision", {})
    if cpr.get("cpr_decision") in t.CPR_NO_DECISION:
        # No CPR Flag without a decision; the plan says why there is none.
        notes.insert(
            0,
            f"CPR: {t.CPR_NO_DECISION.plain(cpr['cpr_decision'])}. "
            f"Why: {cpr.get('reason_no_cpr_decision', '')}",
        )
    if escalation.get("ceiling_of_treatment"):
        notes.insert(
            0,
            "Ceiling of treatment: "
            + t.CEILING_OF_TREATMENT.plain(escalation["ceiling_of_treatment"]),
        )
    if notes:
        resource["note"] = [{"text": note} for note in notes]
    return resource


def _flag(
    version: PublishedVersion,
    subject: Resource,
    name: str,
    code: Resource,
    *,
    start: str | None = None,
    end: str | None = None,
    author: str = "",
) -> Resource:
    resource: Resource = {
        "resourceType": "Flag",
        "id": resource_id(version, name),
        "meta": {"profile": [f"{UKCORE}Flag"]},
        "status": "active",
        "code": code,
        "subject": subject,
        "author": {"display": author or version.approved_by_name},
    }
    period = {k: v for k, v in (("start", start), ("end", end)) if v}
    if period:
        resource["period"] = period
    return resource


def _answer(value: Any, value_set: t.ValueSet | None = None) -> list[Resource]:
    if value_set is not None:
        return [{"valueCoding": coding(value, value_set)}]
    return [{"valueString": str(value)}]


def _questionnaire_response(
    version: PublishedVersion, subject: Resource, name: str, items: list[Resource]
) -> Resource:
    return {
        "resourceType": "QuestionnaireResponse",
        "id": resource_id(version, name),
        "meta": {"profile": [f"{UKCORE}QuestionnaireResponse"]},
        "status": "completed",
        "subject": subject,
        "authored": version.published_at.isoformat(),
        "item": items,
    }


def _cpr(version: PublishedVersion, subject: Resource, data: dict[str, Any]) -> list[Resource]:
    code = data.get("cpr_decision")
    if code not in (t.FOR_CPR, t.NOT_FOR_CPR):
        return []
    decided_by = ", ".join(p for p in (data.get("recorded_by"), data.get("recorded_by_role")) if p)
    flag = _flag(
        version,
        subject,
        "Flag/cpr",
        concept(code, t.CPR_DECISION),
        start=data.get("date_of_decision"),
        end=data.get("date_for_review"),
        author=decided_by,
    )
    items = [
        {"linkId": "cprDecision", "text": "CPR decision", "answer": _answer(code, t.CPR_DECISION)}
    ]
    if data.get("mental_capacity"):
        items.append(
            {
                "linkId": "mentalCapacity",
                "text": "The person's capacity for this decision",
                "answer": _answer(data["mental_capacity"], t.CAPACITY),
            }
        )
    involved = [t.CPR_DISCUSSION.plain(c) for c in data.get("involvement_in_cpr_decision", [])]
    if data.get("people_involved"):
        involved.append(data["people_involved"])
    if involved:
        items.append(
            {
                "linkId": "involvement",
                "text": "Who was involved in the decision",
                "answer": [{"valueString": text} for text in involved],
            }
        )
    if data.get("location_of_document"):
        items.append(
            {
                "linkId": "locationOfDocument",
                "text": "Where the signed form is kept",
                "answer": _answer(data["location_of_document"]),
            }
        )
    return [flag, _questionnaire_response(version, subject, "QuestionnaireResponse/cpr", items)]


def _legal(
    version: PublishedVersion,
    subject: Resource,
    data: dict[str, Any],
    lpas: Sequence[LastingPowerOfAttorney],
) -> list[Resource]:
    resources: list[Resource] = []
    adrt = data.get("advance_decision_to_refuse_treatment")
    if adrt and adrt != "local:adrt-none":
        resources.append(_flag(version, subject, "Flag/adrt", concept(adrt, t.ADRT)))
    # The LPA record; a version from before LPA records keeps what was typed in its plan.
    attorneys = [
        (lpa.attorney_name, lpa.relationship, lpa.attorney_phone, lpa.describe_scope())
        for lpa in lpas
    ]
    if not attorneys and data.get("lasting_power_of_attorney_health_and_welfare"):
        attorneys = [(data.get("name_of_lpa", ""), "", data.get("lpa_contact_details", ""), "")]
    if not attorneys:
        return resources
    code, term = LPA_FLAG
    resources.append(
        _flag(
            version,
            subject,
            "Flag/lpa",
            {"coding": [{"system": SNOMED, "code": code, "display": term}], "text": term},
        )
    )
    for index, (name, relationship, phone, scope) in enumerate(attorneys):
        part = "lpa" if index == 0 else f"lpa-{index + 1}"
        words = "Lasting power of attorney for health and welfare"
        person: Resource = {
            "resourceType": "RelatedPerson",
            "id": resource_id(version, f"RelatedPerson/{part}"),
            "meta": {"profile": [f"{UKCORE}RelatedPerson"]},
            "active": True,
            "patient": subject,
            "relationship": [
                {"text": f"{words} ({relationship}): {scope}" if relationship else words}
            ],
            "name": [{"text": name}],
        }
        if phone:
            person["telecom"] = [{"system": "phone", "value": phone}]
        resources.append(person)
    return resources


def _preferences(
    version: PublishedVersion, subject: Resource, data: dict[str, Any]
) -> list[Resource]:
    items = []
    for name, link, value_set, label in (
        ("preferred_place_of_care", "preferredPlaceOfCare", t.PREFERRED_PLACE_OF_CARE, "care"),
        ("preferred_place_of_death", "preferredPlaceOfDeath", t.PREFERRED_PLACE_OF_DEATH, "death"),
    ):
        code = data.get(name)
        if not code:
            continue
        text = "; ".join(p for p in (value_set.plain(code), data.get(f"{name}_detail")) if p)
        items.append(
            {
                "linkId": f"{link}Coded",
                "text": f"Preferred place of {label}",
                "answer": _answer(code, value_set),
            }
        )
        items.append(
            {
                "linkId": f"{link}Text",
                "text": f"Preferred place of {label}, in words",
                "answer": _answer(text),
            }
        )
    if not items:
        return []
    return [_questionnaire_response(version, subject, "QuestionnaireResponse/preferences", items)]


def _clinical(version: PublishedVersion, subject: Resource, data: dict[str, Any]) -> list[Resource]:
    resources: list[Resource] = []
    conditions = [("primary", data.get("primary_palliative_care_diagnosis", ""))]
    conditions += [
        (f"other-{i}", line.strip())
        for i, line in enumerate((data.get("other_conditions") or "").splitlines())
    ]
    for name, text in conditions:
        if not text:
            continue
        resources.append(
            {
                "resourceType": "Condition",
                "id": resource_id(version, f"Condition/{name}"),
                "meta": {"profile": [f"{UKCORE}Condition"]},
                "clinicalStatus": {
                    "coding": [
                        {
                            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                            "code": "active",
                        }
                    ]
                },
                "category": [
                    {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                                "code": "problem-list-item",
                            }
                        ]
                    }
                ],
                "code": {"text": text},
                "subject": subject,
                "note": [{"text": "Primary palliative care diagnosis"}]
                if name == "primary"
                else [],
            }
        )
    if data.get("estimated_prognosis"):
        resources.append(
            {
                "resourceType": "ClinicalImpression",
                "id": resource_id(version, "ClinicalImpression/prognosis"),
                "status": "completed",
                "subject": subject,
                "date": version.published_at.isoformat(),
                "assessor": {"display": version.approved_by_name},
                "prognosisCodeableConcept": [concept(data["estimated_prognosis"], t.PROGNOSIS)],
            }
        )
    for resource in resources:
        if resource.get("note") == []:
            del resource["note"]
    return resources


def _medications(
    version: PublishedVersion, subject: Resource, data: dict[str, Any]
) -> list[Resource]:
    resources = []
    if data.get("current_medication"):
        resources.append(
            _medication_statement(
                version, subject, "current", data["current_medication"], "Current medication"
            )
        )
    if data.get("anticipatory_medicines_statement") or data.get("anticipatory_medicines"):
        notes = [t.ANTICIPATORY_MEDICINES.plain(c) for c in data.get("anticipatory_medicines", [])]
        if data.get("anticipatory_medicines_location"):
            notes.append(f"Kept: {data['anticipatory_medicines_location']}")
        statement = _medication_statement(
            version,
            subject,
            "anticipatory",
            data.get("anticipatory_medicines_statement") or "Anticipatory medicines",
            "Anticipatory (just in case) medicines",
        )
        statement["category"] = {
            "coding": [coding("871021000000106", t.ANTICIPATORY_MEDICINES)],
            "text": "Anticipatory (just in case) medicines",
        }
        if notes:
            statement["note"] = [{"text": note} for note in notes]
        resources.append(statement)
    return resources


def _medication_statement(
    version: PublishedVersion, subject: Resource, name: str, text: str, label: str
) -> Resource:
    return {
        "resourceType": "MedicationStatement",
        "id": resource_id(version, f"MedicationStatement/{name}"),
        "meta": {"profile": [f"{UKCORE}MedicationStatement"]},
        "status": "active",
        "medicationCodeableConcept": {"text": text},
        "subject": subject,
        "dateAsserted": version.published_at.isoformat(),
        "note": [{"text": label}],
    }


def _contacts(version: PublishedVersion, subject: Resource, data: dict[str, Any]) -> list[Resource]:
    resources = []
    for index, contact in enumerate(data.get("contacts", [])):
        person: Resource = {
            "resourceType": "RelatedPerson",
            "id": resource_id(version, f"RelatedPerson/contact-{index}"),
            "meta": {"profile": [f"{UKCORE}RelatedPerson"]},
            "active": True,
            "patient": subject,
            "name": [{"text": contact.get("name", "")}],
        }
        if contact.get("relationship"):
            person["relationship"] = [{"text": contact["relationship"]}]
        if contact.get("phone"):
            person["telecom"] = [{"system": "phone", "value": contact["phone"]}]
        resources.append(person)
    return resources


# PRSB "Professional contacts": the key worker flag, and the named GP. No SNOMED CT concept
# says "key worker", so both roles are local codes with their plain words.
KEY_CONTACT_ROLES = {
    KeyContactKind.KEY_WORKER: "local:key-worker",
    KeyContactKind.NAMED_GP: "local:named-gp",
}


def _care_team(
    version: PublishedVersion, subject: Resource, key_contacts: Sequence[KeyContact]
) -> Resource:
    """The key worker and named GP, each a contained PractitionerRole with their number."""
    contained, participants = [], []
    for contact in sorted(key_contacts, key=lambda c: c.kind != KeyContactKind.KEY_WORKER):
        role = coding(
            KEY_CONTACT_ROLES[KeyContactKind(contact.kind)], display=contact.get_kind_display()
        )
        organisation = contact.membership.organisation
        ident = contact.kind.replace("_", "-")
        contained.append(
            {
                "resourceType": "PractitionerRole",
                "id": ident,
                "practitioner": {"display": contact.name},
                "organization": {
                    "identifier": {"system": ODS, "value": organisation.ods_code},
                    "display": organisation.name,
                },
                "code": [{"coding": [role], "text": contact.get_kind_display()}],
                "telecom": [{"system": "phone", "value": contact.phone, "use": "work"}],
            }
        )
        participants.append(
            {
                "role": [{"coding": [role], "text": contact.get_kind_display()}],
                "member": {"reference": f"#{ident}", "display": contact.name},
                "onBehalfOf": {
                    "identifier": {"system": ODS, "value": organisation.ods_code},
                    "display": organisation.name,
                },
                "period": {"start": contact.started_at.isoformat()},
            }
        )
    return {
        "resourceType": "CareTeam",
        "id": resource_id(version, "CareTeam"),
        "contained": contained,
        "status": "active",
        "name": "Key worker and named GP",
        "subject": subject,
        "participant": participants,
    }


def _whole_plan(version: PublishedVersion, subject: Resource, sections: dict[str, Any]) -> Resource:
    """Every item recorded in the published version, section by section, as the plan's
    own pages show it: what the resources above map to their own FHIR shapes is here too,
    and so is everything they do not (allergies, home access, about me, awareness, who
    reviews, where documents are), so that nothing recorded is lost on the way out.
    Built from the section definitions (careplans/sections.py): a new item reaches FHIR
    with no change here. The key safe code never leaves through FHIR."""
    items: list[Resource] = []
    for section in SECTIONS:
        data = sections.get(section.key, {})
        if section.key == "key_contacts":
            items += [
                _plan_item(
                    f"key_contacts.{index}",
                    f"{section.title}: contact {index + 1}",
                    [{"valueString": _contact_text(contact)}],
                )
                for index, contact in enumerate(data.get("contacts", []))
            ]
            continue
        for name, field in section.form().fields.items():
            value = data.get(name)
            if value in (None, "", [], False) or name in NEVER_IN_FHIR:
                continue
            answers = _plan_answers(field, value)
            items.append(
                _plan_item(f"{section.key}.{name}", f"{section.title}: {field.label}", answers)
            )
    return _questionnaire_response(version, subject, "QuestionnaireResponse/plan", items)


def _contact_text(contact: dict[str, str]) -> str:
    parts = (contact.get("name"), contact.get("relationship"), contact.get("phone"))
    return ", ".join(part for part in parts if part)


# Shown to urgent care only, in the emergency summary (issue 19): never in FHIR.
NEVER_IN_FHIR = frozenset({"key_safe_code"})


def _plan_item(link_id: str, text: str, answers: list[Resource]) -> Resource:
    return {"linkId": link_id, "text": text, "answer": answers}


def _plan_answers(field: forms.Field, value: Any) -> list[Resource]:
    """A stored value as FHIR answers: a coded answer by its SNOMED CT (or local) code and
    its term, a date as a date, a tick as a boolean, text as text; one answer per choice."""
    if isinstance(field, forms.BooleanField):
        return [{"valueBoolean": bool(value)}]
    if isinstance(field, NhsDateField):
        return [{"valueDate": str(value)}]
    choices = {str(code): str(term) for code, term in getattr(field, "choices", []) or []}
    if not choices:
        return [{"valueString": str(value)}]
    return [
        _coded_answer(str(code), choices.get(str(code), str(code)))
        for code in (value if isinstance(value, list) else [value])
    ]


# A SNOMED CT identifier has 6 to 18 digits; a shorter number is not one.
_SCTID = re.compile(r"\d{6,18}")


def _coded_answer(code: str, term: str) -> Resource:
    if _SCTID.fullmatch(code) or code.startswith("local:"):
        return {"valueCoding": coding(code, display=term)}
    # A choice of the form that is neither SNOMED CT nor local (the ReSPECT form's CPR
    # recommendation, the Karnofsky score "60"): its words, never a made-up code.
    return {"valueString": term}


def _consent(consent: ConsentToShare, subject: Resource) -> Resource:
    return {
        "resourceType": "Consent",
        "id": str(consent.public_id),
        "meta": {"profile": [f"{UKCORE}Consent"]},
        "status": "active" if consent.withdrawn_at is None else "inactive",
        "scope": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                    "code": "patient-privacy",
                }
            ]
        },
        "category": [
            {
                "coding": [
                    {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "INFA"}
                ]
            }
        ],
        "patient": subject,
        # The London day it was given, as recorded: a date is a valid FHIR dateTime.
        "dateTime": consent.given_on.isoformat(),
        "policyRule": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/consentpolicycodes",
                    "code": "cric",
                }
            ]
        },
    }
