"""Coded values: a concept (its code, the standard's term, and what a person is shown) and
a value set of them. The value sets themselves belong to the apps that use them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Concept:
    code: str
    term: str  # the standard's term
    plain: str  # what a person is shown


class ValueSet:
    def __init__(self, name: str, concepts: list[Concept]) -> None:
        self.name = name
        self.concepts = concepts
        self._by_code = {c.code: c for c in concepts}

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str) -> Concept | None:
        return self._by_code.get(code)

    def plain(self, code: str) -> str:
        concept = self._by_code.get(code)
        return concept.plain if concept else ""

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(c.code, c.plain) for c in self.concepts]
