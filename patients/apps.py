from __future__ import annotations

from django.apps import AppConfig
from django.db.backends.signals import connection_created
from django.db.models.signals import post_delete, post_migrate, post_save


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and care teams"

    def ready(self) -> None:
        from django.contrib.auth.models import Permission

        from patients.permissions import forget_permission_ids

        # The care-team checks hold the view_patient permission's id (patients.permissions):
        # read again on a new connection, and once permissions may have been made again or
        # changed in this process.
        connection_created.connect(
            forget_permission_ids, dispatch_uid="patients.permissions.connected"
        )
        post_migrate.connect(forget_permission_ids, dispatch_uid="patients.permissions.migrated")
        post_save.connect(
            forget_permission_ids, Permission, dispatch_uid="patients.permissions.saved"
        )
        post_delete.connect(
            forget_permission_ids, Permission, dispatch_uid="patients.permissions.gone"
        )
