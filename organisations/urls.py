from __future__ import annotations

from django.urls import path

from organisations import two_factor_views, views

app_name = "organisations"

urlpatterns = [
    path("sign-in/", views.SignInView.as_view(), name="sign_in"),
    path("sign-out/", views.SignOutView.as_view(), name="sign_out"),
    path("acting-as/", views.choose_membership, name="choose_membership"),
    path("set-password/<uidb64>/<token>/", views.SetPasswordView.as_view(), name="set_password"),
    path("about/", views.about, name="about"),
    path("access/approvals/", views.access_approvals, name="access_approvals"),
    path("two-factor/", two_factor_views.verify, name="two_factor"),
    path("two-factor/set-up/", two_factor_views.set_up, name="two_factor_set_up"),
    path("two-factor/recovery-codes/", two_factor_views.recovery_codes, name="recovery_codes"),
    path("confirm-identity/", two_factor_views.reauthenticate, name="reauthenticate"),
    path(
        "region/memberships/<uuid:membership_id>/two-factor-reset/",
        two_factor_views.reset_request,
        name="two_factor_reset",
    ),
    path(
        "access/two-factor-resets/<uuid:reset_id>/",
        views.two_factor_reset_approve,
        name="two_factor_reset_approve",
    ),
    path("access/approvals/<uuid:membership_id>/", views.access_decide, name="access_decide"),
    path("region/organisations/", views.organisation_list, name="organisation_list"),
    path("region/single-point-of-access/", views.region_access, name="region_access"),
    path("region/organisations/new/", views.organisation_create, name="organisation_create"),
    path(
        "region/organisations/<uuid:organisation_id>/",
        views.organisation_detail,
        name="organisation_detail",
    ),
    path(
        "region/organisations/<uuid:organisation_id>/memberships/new/",
        views.membership_add,
        name="membership_add",
    ),
    path(
        "region/organisations/<uuid:organisation_id>/api-tokens/",
        views.api_tokens,
        name="api_tokens",
    ),
    path(
        "region/api-tokens/<uuid:token_id>/revoke/", views.api_token_revoke, name="api_token_revoke"
    ),
    path(
        "region/memberships/<uuid:membership_id>/end/",
        views.membership_end,
        name="membership_end",
    ),
]
