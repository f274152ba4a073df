"""The Content-Security-Policy header, and pages that need nothing inline to work under it.

The browser half (no violation reported by Chromium) is in test_csp_browser.py.
"""

import re

import pytest
from django.urls import reverse

from objectives.models import Objective, OperatingPlan

pytestmark = pytest.mark.django_db

POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>",
                           re.I)
INLINE_STYLE = re.compile(r"<style\b|\sstyle=\"", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+=\"", re.I)


def directives(header):
    """The policy as {directive: sources}; django-csp does not keep the directives' order."""
    return {part.split()[0]: part.split()[1:] for part in header.split("; ")}


def pages(world):
    plan, objective = world.a[OperatingPlan], world.a[Objective]
    return {
        "login": (None, reverse("entry:login")),
        "plan list": ("staff_a", reverse("objectives:plan_list")),
        "plan": ("staff_a", reverse("objectives:plan_detail", args=[plan.pk])),
        "dashboard": ("staff_a", reverse("objectives:dashboard", args=[plan.pk])),
        "budget grid": ("staff_a", reverse("budget:entry", args=[objective.pk])),
        "quarter": ("staff_a", reverse("indicators:quarter", args=[plan.pk, 1])),
        "reports": ("staff_a", reverse("reports:operating_plan", args=[plan.pk])),
        "admin index": ("staff_a", reverse("admin:index")),
        "admin change form": ("superuser", reverse("admin:objectives_objective_change",
                                                   args=[objective.pk])),
        "admin login": (None, reverse("admin:login")),
        "api docs": ("auditor_a", reverse("api-docs")),
        "second factor": ("staff_a", reverse("security:otp_enrol")),
    }


def test_every_page_carries_the_policy_and_nothing_inline(client, world):
    for name, (role, url) in pages(world).items():
        client.logout()
        if role:
            client.force_login(world.user(role))
        response = client.get(url)
        assert response.status_code == 200, name
        assert directives(response["Content-Security-Policy"]) == directives(POLICY), name
        assert response["X-Frame-Options"] == "DENY", name
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), (name, INLINE_SCRIPT.search(html))
        assert not INLINE_STYLE.search(html), (name, INLINE_STYLE.search(html))
        assert not EVENT_HANDLER.search(html), (name, EVENT_HANDLER.search(html))


def test_swagger_start_up_script_is_a_file_of_our_own(client, world):
    client.force_login(world.user("auditor_a"))
    html = client.get(reverse("api-docs")).content.decode()
    script = re.search(r'<script src="([^"]+\?script=?)"', html).group(1)
    response = client.get(script)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def test_redoc_styles_need_the_nonce_or_the_known_hash_and_scripts_stay_strict(client, world):
    client.force_login(world.user("auditor_a"))
    response = client.get(reverse("api-redoc"))
    policy = directives(response["Content-Security-Policy"])
    html = response.content.decode()
    nonce = re.search(r'data-nonce="([^"]+)"', html).group(1)
    assert policy["style-src"] == [
        "'self'", f"'nonce-{nonce}'", "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",
        "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",
    ]
    assert {k: v for k, v in policy.items() if k != "style-src"} == {
        k: v for k, v in directives(POLICY).items() if k != "style-src"}
    assert not INLINE_SCRIPT.search(html) and not INLINE_STYLE.search(html)
    assert "fonts.googleapis.com" not in html
    # A fresh nonce for every page.
    assert nonce not in client.get(reverse("api-redoc"))["Content-Security-Policy"]


def test_api_answers_carry_the_policy_too(client, world):
    client.force_login(world.user("auditor_a"))
    response = client.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert directives(response["Content-Security-Policy"]) == directives(POLICY)
