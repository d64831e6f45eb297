"""The case-finding rule: which of a practice's patients, not on its palliative care
register, the data here suggests may need a plan, and why. A pure function of the facts
and a rule version, like the co-ordination centre's priority rule: the same facts and
version always give the same reasons, and every reason is shown in words.

It informs; the clinician decides. Nothing here is a score or a prognosis. The reasons come
from ../shared/reference/case-finding-notes.md (GSF Proactive Identification Guidance,
SPICT, the surprise question) and need the sign-off of the practice's clinical lead before
live use. To change them, add a new version to RULES; never edit a version in use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

from patients.dates import age_on

RULE_VERSION = "2026-12"

# Prognoses of months or less (careplans.terminology.PROGNOSIS): last months, weeks, days.
MONTHS_OR_LESS = {
    "968211000000101": "last months of life",
    "955231000000109": "last weeks of life",
    "511401000000102": "last days of life",
}


class Reason(StrEnum):
    URGENT_CARE = "urgent_care"
    REFERRED = "referred"
    PROGNOSIS = "prognosis"
    SPICT = "spict"
    SURPRISE_QUESTION = "surprise_question"
    OLD_AND_FRAIL = "old_and_frail"
    PRACTICE_SEARCH = "practice_search"


@dataclass(frozen=True)
class Rule:
    version: str
    looked_up_within_days: int
    referred_within_days: int
    old_age: int


RULES = {"2026-12": Rule("2026-12", looked_up_within_days=90, referred_within_days=365, old_age=85)}


@dataclass(frozen=True)
class Facts:
    """What the service holds about one person, gathered in one query for a whole page."""

    born: dt.date
    has_published_plan: bool = False
    urgent_care_looked: bool = False  # summary read by urgent care, or glass broken, lately
    referred: bool = False  # referred to the co-ordination centre lately
    prognosis: str = ""  # the working plan's estimated prognosis code
    spict_general: tuple[str, ...] = ()  # the latest SPICT assessment's items
    spict_clinical: tuple[str, ...] = ()
    surprise_no: bool = False  # the latest answer: would not be surprised
    care_home: bool = False  # a care home is in their care team
    search: tuple[str, ...] | None = None  # in the practice's own search, with its indicators
    search_on: dt.date | None = None


@dataclass(frozen=True)
class Term:
    reason: Reason
    plain: str


@dataclass(frozen=True)
class Finding:
    terms: list[Term] = field(default_factory=list)
    version: str = RULE_VERSION

    def __bool__(self) -> bool:
        return bool(self.terms)


def latest_birthday_for_age(today: dt.date, years: int) -> dt.date:
    """The latest date of birth of someone aged `years` or more today (29 February counts
    from 1 March, as patients.dates.age_on)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # today is 29 February and that year had none
        return dt.date(today.year - years, 2, 28)


def frail(facts: Facts) -> bool:
    """Frailty recorded here: a SPICT dementia or frailty indicator, or a frailty column in
    the practice's own search."""
    return any(item.startswith("dementia_frailty.") for item in facts.spict_clinical) or any(
        "frail" in indicator.lower() for indicator in facts.search or ()
    )


def find(facts: Facts, today: dt.date, version: str = RULE_VERSION) -> Finding:
    """Every reason the facts give, in a fixed order, each in words."""
    rule = RULES[version]
    terms: list[Term] = []
    if facts.urgent_care_looked and not facts.has_published_plan:
        terms.append(
            Term(
                Reason.URGENT_CARE,
                f"No plan, but urgent care looked for one or broke glass in the last "
                f"{rule.looked_up_within_days} days",
            )
        )
    if facts.referred:
        terms.append(Term(Reason.REFERRED, "Referred to the co-ordination centre"))
    if facts.prognosis in MONTHS_OR_LESS:
        terms.append(
            Term(
                Reason.PROGNOSIS,
                f"The plan records a prognosis of {MONTHS_OR_LESS[facts.prognosis]}",
            )
        )
    if facts.spict_general and facts.spict_clinical:
        terms.append(
            Term(
                Reason.SPICT,
                f"SPICT: {len(facts.spict_general)} general and "
                f"{len(facts.spict_clinical)} clinical indicator"
                f"{'s' if len(facts.spict_clinical) != 1 else ''} found",
            )
        )
    if facts.surprise_no:
        terms.append(Term(Reason.SURPRISE_QUESTION, "Surprise question answered “no”"))
    age = age_on(facts.born, today)
    if age >= rule.old_age and (frail(facts) or facts.care_home):
        why = "lives in a care home" if facts.care_home else "frailty recorded"
        terms.append(Term(Reason.OLD_AND_FRAIL, f"Aged {age}, {why}"))
    if facts.search is not None:
        listed = f": {', '.join(facts.search)}" if facts.search else ""
        day = f" of {facts.search_on:%-d %B %Y}" if facts.search_on else ""
        terms.append(Term(Reason.PRACTICE_SEARCH, f"In the practice's search{day}{listed}"))
    return Finding(terms=terms, version=version)
