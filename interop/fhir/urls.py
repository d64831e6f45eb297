from __future__ import annotations

from django.urls import path, re_path

from interop.fhir import views

app_name = "fhir"

urlpatterns = [
    path("", views.base, name="base"),
    path("metadata", views.metadata, name="metadata"),
    path("Patient", views.patient_search, name="patient_search"),
    path("Patient/_search", views.patient_search_post, name="patient_search_post"),
    path("Patient/<str:patient_id>", views.patient_read, name="patient_read"),
    path("Patient/<str:patient_id>/$everything", views.patient_everything, name="everything"),
    re_path(r"^(?P<kind>[A-Z][A-Za-z]+)$", views.type_search, name="search"),
    re_path(r"^(?P<kind>[A-Z][A-Za-z]+)/_search$", views.type_search_post, name="search_post"),
    re_path(
        r"^(?P<kind>[A-Z][A-Za-z]+)/(?P<resource_id>[A-Za-z0-9\-\.]{1,64})$",
        views.type_read,
        name="read",
    ),
    re_path(r"^.*$", views.not_found, name="not_found"),
]
