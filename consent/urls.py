from __future__ import annotations

from django.urls import path

from consent import views

app_name = "consent"

urlpatterns = [
    path("<uuid:patient_id>/consent/", views.consent_page, name="consent"),
    path("<uuid:patient_id>/consent/withdraw/", views.consent_withdraw, name="withdraw"),
]
