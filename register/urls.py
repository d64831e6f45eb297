from __future__ import annotations

from django.urls import path

from register import views

app_name = "register"

urlpatterns = [
    path("<uuid:patient_id>/register/", views.register_page, name="register"),
    path("<uuid:patient_id>/register/add/", views.register_add, name="add"),
    path("<uuid:patient_id>/register/remove/", views.register_remove, name="remove"),
    path(
        "<uuid:patient_id>/register/surprise-question/",
        views.surprise_question,
        name="surprise_question",
    ),
    path("<uuid:patient_id>/register/spict/", views.spict, name="spict"),
    path("<uuid:patient_id>/register/phase/", views.phase, name="phase"),
]
