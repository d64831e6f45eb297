from __future__ import annotations

from django.urls import path

from deaths import views

app_name = "deaths"

urlpatterns = [
    path("<uuid:patient_id>/death/", views.death, name="death"),
    path("<uuid:patient_id>/death/correct/", views.death_correct, name="death_correct"),
    path("<uuid:patient_id>/death/in-error/", views.death_in_error, name="death_in_error"),
]
