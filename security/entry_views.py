"""Login and logout of the browser pages."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from security.views import TwoStepLoginMixin


class LoginView(TwoStepLoginMixin, auth_views.LoginView):
    template_name = "entry/login.html"
    redirect_authenticated_user = True
    extra_context = {"page_title": "Accesso"}

    def get_default_redirect_url(self):
        return self.get_redirect_url() or str(reverse_lazy("objectives:plan_list"))


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("entry:login")
