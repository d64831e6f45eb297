from __future__ import annotations

from django.urls import path

from carers import views

app_name = "carers"

urlpatterns = [
    path("caring/", views.home, name="home"),
    path("caring/tell-the-team/", views.tell, name="tell"),
]
