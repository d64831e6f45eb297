"""Thin tasks: call one service. Safe to run twice."""

from __future__ import annotations

from celery import shared_task

from profiles.readiness_services import readiness_sweep


@shared_task(name="profiles.readiness_sweep")
def daily_readiness_sweep() -> None:
    readiness_sweep()
