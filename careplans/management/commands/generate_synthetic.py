from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careplans.synthetic import generate


class Command(BaseCommand):
    help = "Create a synthetic region with N patients and their plans, the same for a seed."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--patients", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--batch-size", type=int, default=5000)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["patients"] < 1:
            raise CommandError("--patients must be at least 1")
        try:
            summary = generate(
                patients=options["patients"], seed=options["seed"], batch_size=options["batch_size"]
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{summary.patients} patients, {summary.versions} published versions in "
            f"{summary.seconds:.2f} s: {summary.patients_per_second:.0f} patients/s"
        )
