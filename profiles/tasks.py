"""Thin tasks: call one service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from profiles.readiness_services import medicines_expiry_sweep


@shared_task(name="profiles.medicines_expiry_sweep")
def daily_medicines_expiry_sweep() -> None:
    medicines_expiry_sweep()
