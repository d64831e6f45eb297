"""`{% site_header %}`: the NHS.UK header on every page (base.html).

Written in Python rather than in the template: it is on every page, and the template engine
took 2 to 3 ms to render it (bench/worklist.py), this a tenth of that. It reads what the
context processors put in the context (`user`; `acting`, `navigation` and
`can_switch_membership`; `receives_reminders` and `unread_notifications`;
`patient_account`), and escapes every value on its way into the markup."""

from __future__ import annotations

from html import escape
from typing import Any

from django import template
from django.template.defaulttags import CsrfTokenNode
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# The NHS logo, as NHS.UK frontend's header gives it.
LOGO = (
    '<svg class="nhsuk-header__logo" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 200 80"'
    ' height="40" width="100" focusable="false" role="img" aria-label="NHS">\n'
    "            <title>NHS</title>\n"
    '            <path fill="currentcolor" d="M200 0v80H0V0h200Zm-27.5 5.5c-14.5 0-29 5-29 22'
    " 0 10.2 7.7 13.5 14.7 16.3l.7.3c5.4 2 10.1 3.9 10.1 8.4 0 6.5-8.5 7.5-14 7.5s-12.5-1.5-16-3.5"
    "L135 70c5.5 2 13.5 3.5 20 3.5 15.5 0 32-4.5 32-22.5 0-19.5-25.5-16.5-25.5-25.5 0-5.5 5.5-6.5"
    " 12.5-6.5a35 35 0 0 1 14.5 3l4-13.5c-4.5-2-12-3-20-3Zm-131 2h-22l-14 65H22l9-45h.5l13.5 45"
    "h21.5l14-65H64l-9 45h-.5l-13-45Zm63 0h-18l-13 65h17l6-28H117l-5.5 28H129l13.5-65H125L119.5 32"
    "h-20l5"
    '-24.5Z"/>\n'
    "          </svg>"
)
USER_ICON = (
    '<svg class="nhsuk-icon nhsuk-icon--user" xmlns="http://www.w3.org/2000/svg"'
    ' viewBox="0 0 24 24" width="16" height="16" focusable="false" aria-hidden="true"><path'
    ' d="M12 1a11 11 0 1 1 0 22 11 11 0 0 1 0-22Zm0 2a9 9 0 0 0-5 16.5V18a4 4 0 0 1 4-4h2a4 4'
    ' 0 0 1 4 4v1.5A9 9 0 0 0 12 3Zm0 3a3.5 3.5 0 1 1-3.5 3.5A3.4 3.4 0 0 1 12 6Z"/></svg>'
)


def _item(html: str, testid: str = "") -> str:
    tested = f' data-testid="{testid}"' if testid else ""
    return (
        f'          <li class="nhsuk-header__account-item"{tested}>\n'
        f"            {html}\n"
        "          </li>"
    )


def _account(context: template.Context, user: Any) -> str:
    """Who is signed in, in which role, their notifications, whom they act for, sign out."""
    name = user.get_full_name() or user.get_username()
    items = [
        _item(f'{USER_ICON}\n            <span data-testid="signed-in-as">{escape(name)}</span>')
    ]
    acting = context.get("acting")
    if acting:
        role = f"{escape(acting.get_role_display())}, {escape(acting.organisation.name)}"
        if context.get("can_switch_membership"):
            href = reverse("organisations:choose_membership")
            role = (
                f'<a class="nhsuk-header__account-link" href="{href}">{role}'
                '<span class="nhsuk-u-visually-hidden"> (switch role)</span></a>'
            )
        items.append(_item(role, "acting-as"))
    if context.get("receives_reminders"):
        unread = int(context.get("unread_notifications") or 0)
        count = (
            f' <span class="app-count" data-testid="unread-count">{unread}</span>'
            '<span class="nhsuk-u-visually-hidden"> unread</span>'
            if unread
            else ""
        )
        href = reverse("reminders:notifications")
        link = f'<a class="nhsuk-header__account-link" href="{href}">Notifications{count}</a>'
        items.append(_item(link, "notifications-link"))
    account = context.get("patient_account")
    if account and account.is_proxy:
        href = reverse("portal:choose_account")
        link = (
            f'<a class="nhsuk-header__account-link" href="{href}">Attorney for'
            f" {escape(account.patient.full_name)}"
            '<span class="nhsuk-u-visually-hidden"> (change)</span></a>'
        )
        items.append(_item(link, "acting-for"))
    sign_out = reverse("organisations:sign_out")
    csrf = CsrfTokenNode().render(context)
    items.append(
        _item(
            f'<form class="nhsuk-header__account-form" action="{sign_out}" method="post"'
            f" novalidate>\n              {csrf}\n"
            '              <button class="nhsuk-header__account-button">Sign out</button>\n'
            "            </form>"
        )
    )
    return (
        '      <nav class="nhsuk-header__account" aria-label="Account">\n'
        '        <ul class="nhsuk-header__account-list">\n'
        + "\n".join(items)
        + "\n        </ul>\n      </nav>\n"
    )


def _navigation(context: template.Context) -> str:
    """The menu of the pages the acting role, or the person online, may use."""
    items = []
    for item in context.get("navigation") or ():
        text = escape(item["text"])
        if item["current"]:
            current, attribute = " nhsuk-header__navigation-item--current", ' aria-current="page"'
            text = f'<strong class="nhsuk-header__navigation-item-current-fallback">{text}</strong>'
        else:
            current, attribute = "", ""
        items.append(
            f'          <li class="nhsuk-header__navigation-item{current}">\n'
            f'            <a class="nhsuk-header__navigation-link" href="{escape(item["href"])}"'
            f"{attribute}>{text}</a>\n"
            "          </li>\n"
        )
    return (
        '    <nav class="nhsuk-header__navigation" aria-label="Menu">\n'
        '      <div class="nhsuk-header__navigation-container nhsuk-width-container">\n'
        '        <ul class="nhsuk-header__navigation-list">\n'
        + "".join(items)
        + '          <li class="nhsuk-header__menu" hidden>\n'
        '            <button class="nhsuk-header__menu-toggle nhsuk-header__navigation-link"'
        ' id="toggle-menu" aria-expanded="false">\n'
        '              <span class="nhsuk-u-visually-hidden">Browse </span>More\n'
        "            </button>\n"
        "          </li>\n"
        "        </ul>\n"
        "      </div>\n"
        "    </nav>\n"
    )


@register.simple_tag(takes_context=True)
def site_header(context: template.Context) -> SafeString:
    user = context.get("user")
    signed_in = user is not None and user.is_authenticated
    html = (
        '<header class="nhsuk-header" data-module="nhsuk-header" role="banner">\n'
        '    <div class="nhsuk-header__container nhsuk-width-container">\n'
        '      <div class="nhsuk-header__service">\n'
        f'        <a class="nhsuk-header__service-logo" href="{reverse("home")}"'
        ' aria-label="NHS Palliative care plans homepage">\n'
        f"          {LOGO}\n"
        '          <span class="nhsuk-header__service-name">Palliative care plans</span>\n'
        "        </a>\n"
        "      </div>\n"
        + (_account(context, user) if signed_in else "")
        + "    </div>\n"
        + (_navigation(context) if context.get("acting") or context.get("patient_account") else "")
        + "  </header>"
    )
    return mark_safe(html)  # noqa: S308  (every value escaped above)
