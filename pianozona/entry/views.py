"""Login and logout of the browser pages, and the context every page of a plan shares."""

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from pianozona.security.views import TwoStepLoginMixin

from .access import may_open_entry_pages


class LoginView(TwoStepLoginMixin, auth_views.LoginView):
    template_name = "entry/login.html"
    redirect_authenticated_user = True
    extra_context = {"page_title": "Accesso"}

    def get_default_redirect_url(self):
        return self.get_redirect_url() or str(reverse_lazy("objectives:plan_list"))


class LogoutView(auth_views.LogoutView):
    next_page = reverse_lazy("entry:login")


def plan_context(user, plan, *, nav):
    """What the header and the navigation need to know about the plan on screen."""
    ambito = plan.zone_plan.ambito
    return {
        "plan": plan,
        "ambito": ambito,
        "nav": nav,
        "show_entry_links": may_open_entry_pages(user, ambito.pk),
    }
