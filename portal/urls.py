from __future__ import annotations

from django.urls import path

from portal import staff_views, views

app_name = "portal"

urlpatterns = [
    path("my/", views.home, name="home"),
    path("my/plan/", views.plan, name="plan"),
    path("my/draft/", views.draft, name="draft"),
    path("my/draft/send/", views.draft_submit, name="draft_submit"),
    path("my/draft/<slug:slug>/", views.draft_part, name="draft_part"),
    path("my/changes/", views.changes, name="changes"),
    path("my/changes/new/", views.change_new, name="change_new"),
    path("my/consent/", views.consent, name="consent"),
    path("my/who-looked/", views.access_log, name="access_log"),
    path("my/acting-for/", views.choose_account, name="choose_account"),
    path("my/carers/", views.carers, name="carers"),
    path("my/carers/<uuid:carer_id>/", views.carer, name="carer"),
    path(
        "my/carers/invitations/<uuid:invitation_id>/withdraw/",
        views.carer_invitation_withdraw,
        name="carer_invitation_withdraw",
    ),
    path("online/invitation/", views.accept_form, name="accept_form"),
    path("online/invitation/<str:token>/", views.accept, name="accept"),
    path("online/request-account/", views.request_account, name="request_account"),
    path("queue/", staff_views.queue, name="queue"),
    path(
        "queue/account-requests/<uuid:request_id>/",
        staff_views.account_request,
        name="account_request",
    ),
    path(
        "patients/<uuid:patient_id>/online-access/", staff_views.online_access, name="online_access"
    ),
    path("patients/<uuid:patient_id>/online-access/lpa/", staff_views.lpa_add, name="lpa_add"),
    path(
        "patients/<uuid:patient_id>/online-access/lpa/<uuid:lpa_id>/end/",
        staff_views.lpa_end,
        name="lpa_end",
    ),
    path(
        "patients/<uuid:patient_id>/online-access/accounts/<uuid:account_id>/end/",
        staff_views.account_end,
        name="account_end",
    ),
    path(
        "patients/<uuid:patient_id>/online-access/invitations/<uuid:invitation_id>/withdraw/",
        staff_views.invitation_withdraw,
        name="invitation_withdraw",
    ),
]
