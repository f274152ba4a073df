"""Login in two steps for users with a second factor, and enrolment of the TOTP app."""

import base64

import segno
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import REDIRECT_FIELD_NAME, get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.mixins import LoginRequiredMixin
from django.contrib.auth.views import LoginView
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import View
from django_otp import login as otp_login
from django_otp import match_token, user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import sessions
from .forms import CodeForm

PENDING = "pz_otp_pending"
# The password step is valid this long while the code is typed.
PENDING_SECONDS = 5 * 60
DEVICE_NAME = "App di autenticazione"


class TwoStepLoginMixin:
    """After a right password, a user with a confirmed device gives the code before login."""

    def form_valid(self, form):
        user = form.get_user()
        if not user_has_device(user, confirmed=True):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING] = {
            "user": user.pk, "backend": user.backend, "next": self.get_success_url(),
            "at": sessions.now(),
        }
        return redirect("security:otp_verify")


def admin_login(request):
    """The admin's login (Django's own ``AdminSite.login``) with the second step."""
    site = admin.site
    if request.method == "GET" and site.has_permission(request):
        return redirect("admin:index")
    context = {
        **site.each_context(request),
        "title": "Accedi", "subtitle": None, "app_path": request.get_full_path(),
        "username": request.user.get_username(),
    }
    if REDIRECT_FIELD_NAME not in request.GET and REDIRECT_FIELD_NAME not in request.POST:
        context[REDIRECT_FIELD_NAME] = reverse("admin:index")
    view = AdminLoginView.as_view(
        extra_context=context, authentication_form=AdminAuthenticationForm,
        template_name="admin/login.html",
    )
    return view(request)


class AdminLoginView(TwoStepLoginMixin, LoginView):
    def get_default_redirect_url(self):
        return self.get_redirect_url() or reverse("admin:index")


def _safe_next(request, url):
    if url and url_has_allowed_host_and_scheme(url, {request.get_host()},
                                               require_https=request.is_secure()):
        return url
    return reverse("objectives:plan_list")


class OtpVerifyView(View):
    """The second step: the code of the app, for a pending password login or a session
    that was opened without one."""

    template_name = "security/otp_verify.html"

    def who(self):
        request = self.request
        if request.user.is_authenticated:
            return request.user, None
        pending = request.session.get(PENDING)
        if not pending or sessions.now() - pending["at"] > PENDING_SECONDS:
            return None, None
        user = get_user_model()._default_manager.filter(pk=pending["user"], is_active=True).first()
        return user, pending

    def render_page(self, form, status=200):
        return render(self.request, self.template_name,
                      {"form": form, "page_title": "Codice di verifica"}, status=status)

    def get(self, request):
        user, _ = self.who()
        if user is None:
            messages.info(request, "Accedi con nome utente e password.")
            return redirect("entry:login")
        return self.render_page(CodeForm())

    def post(self, request):
        user, pending = self.who()
        if user is None:
            messages.info(request, "Il tempo per inserire il codice è scaduto: accedi di nuovo.")
            return redirect("entry:login")
        form = CodeForm(request.POST)
        device = match_token(user, form.cleaned_data["otp_token"]) if form.is_valid() else None
        if device is None:
            if form.is_valid():
                form.refuse()
            return self.render_page(form, status=400)
        if pending is not None:
            user.otp_device = device  # django-otp marks the new session as verified
            auth_login(request, user, backend=pending["backend"])
            return redirect(_safe_next(request, pending["next"]))
        otp_login(request, device)
        return redirect(_safe_next(request, request.GET.get(REDIRECT_FIELD_NAME)))


def qr_svg(url):
    # Plain SVG markup: no script, no style attribute, fine under the CSP.
    return segno.make(url, error="m").svg_inline(scale=5, dark="#000", light="#fff",
                                                   title="Codice QR per l'app di autenticazione")


def grouped(secret):
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


class OtpEnrolView(LoginRequiredMixin, View):
    """Show a new secret as a QR code and confirm it with the first code of the app."""

    login_url = reverse_lazy("entry:login")
    template_name = "security/otp_enrol.html"

    def device(self):
        user = self.request.user
        device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").last()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
        return device

    def render_page(self, form, status=200):
        user = self.request.user
        confirmed = user_has_device(user, confirmed=True)
        context = {"page_title": "Verifica in due passaggi", "confirmed": confirmed,
                   "required": settings.PIANOZONA_OTP_REQUIRED_FOR_SUPERUSERS
                   and user.is_superuser}
        if not confirmed:
            device = self.device()
            secret = base64.b32encode(device.bin_key).decode()
            context.update(form=form, qr=qr_svg(device.config_url), secret=grouped(secret),
                           issuer=settings.OTP_TOTP_ISSUER)
        return render(self.request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(CodeForm())

    def post(self, request):
        if user_has_device(request.user, confirmed=True):
            return redirect("security:otp_enrol")
        device = self.device()
        form = CodeForm(request.POST)
        if form.is_valid() and device.verify_token(form.cleaned_data["otp_token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=request.user, confirmed=False).delete()
            otp_login(request, device)
            messages.success(request, "Verifica in due passaggi attivata: dal prossimo accesso "
                                      "ti sarà chiesto anche il codice dell'app.")
            return redirect("security:otp_enrol")
        if form.is_valid():
            form.refuse()
        return self.render_page(form, status=400)
