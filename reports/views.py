"""Staff pages: request a report for a plan, follow its state, download the PDF.

Every object is read through ``restrict(user, "view")``: a job or plan of another
ambito does not exist for the user (404).
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.shortcuts import render as render_page
from django.views.decorators.http import require_http_methods

from core.roles import VIEW
from objectives.models import OperatingPlan, ZonePlan
from reports.models import ReportJob

from .builders import BUILDERS, ReportError
from .jobs import QUEUE_UNAVAILABLE, report_file_is_complete, report_job_request

PLAN_KINDS = [
    (ReportJob.Kind.OPERATING_PLAN, ReportJob.Kind.OPERATING_PLAN.label),
    (ReportJob.Kind.FINAL_REPORT, ReportJob.Kind.FINAL_REPORT.label),
]


def render(request, template, context):
    """The report pages live inside the admin's frame: its header, title and sidebar."""
    return render_page(request, template, {**admin.site.each_context(request), **context})


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label="Documento", choices=PLAN_KINDS)
    variant = forms.ChoiceField(label="Formato", choices=ReportJob.Variant.choices,
                                initial=ReportJob.Variant.ACCESSIBLE)

    def __init__(self, *args, kinds=PLAN_KINDS, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        if len(kinds) == 1:
            self.fields["kind"].initial = kinds[0][0]
            self.fields["kind"].widget = forms.HiddenInput()


def _jobs(request, **flt):
    return (ReportJob.objects.restrict(request.user, VIEW).filter(**flt)
            .select_related("requested_by").order_by("-created_at", "-pk")[:20])


@staff_member_required
def report_index(request):
    plans = (OperatingPlan.objects.restrict(request.user, VIEW)
             .select_related("zone_plan__ambito").order_by("zone_plan__ambito__name", "-year"))
    zone_plans = (ZonePlan.objects.restrict(request.user, VIEW).select_related("ambito")
                  .order_by("ambito__name", "-start_year"))
    return render(request, "reports/pages/index.html", {
        "title": "Report PDF", "plans": plans, "zone_plans": zone_plans,
        "jobs": _jobs(request),
    })


def _figures_without_data(target, kinds):
    """For staff: per document, the figures not printed for lack of data, and where to enter it.

    The report data is built (a fixed number of queries, no chart is drawn): the list is
    the one the PDF was made with, so the page and the document never disagree.
    """
    found = []
    for kind, label in kinds:
        try:
            data = BUILDERS[kind](target)
        except ReportError:
            continue
        missing = data.context.get("figures_without_data") or []
        if missing:
            found.append({"document": label, "figures": missing})
    return found


def _request_page(request, *, target, kinds, template_context):
    form = RequestForm(request.POST or None, kinds=kinds)
    if request.method == "POST" and form.is_valid():
        job = report_job_request(user=request.user, kind=form.cleaned_data["kind"],
                                 target=target, variant=form.cleaned_data["variant"])
        job.refresh_from_db(fields=["state"])  # the broker may have refused it on commit
        if job.reused:
            messages.info(request, "I dati non sono cambiati: il report già generato è pronto.")
        elif job.state != ReportJob.State.WAITING:  # waiting: the job page says why
            messages.success(request, "Report messo in coda.")
        return redirect("reports:job", pk=job.pk)
    return render(request, "reports/pages/plan.html", {
        **template_context, "form": form,
        "figures_without_data": _figures_without_data(target, kinds),
    })


# Not atomic as a request: the service commits the job itself, so that the broker's
# answer (on commit) is known before the page chooses its message.
@transaction.non_atomic_requests
@staff_member_required
@require_http_methods(["GET", "POST"])
def operating_plan_reports(request, pk):
    plan = get_object_or_404(
        OperatingPlan.objects.restrict(request.user, VIEW).select_related("zone_plan__ambito"),
        pk=pk,
    )
    return _request_page(request, target=plan, kinds=PLAN_KINDS, template_context={
        "title": f"Report – {plan.title} ({plan.zone_plan.ambito.name})", "target": plan,
        "state": plan.get_state_display(), "jobs": _jobs(request, operating_plan=plan),
    })


# Not atomic as a request: the service commits the job itself, so that the broker's
# answer (on commit) is known before the page chooses its message.
@transaction.non_atomic_requests
@staff_member_required
@require_http_methods(["GET", "POST"])
def zone_plan_reports(request, pk):
    plan = get_object_or_404(ZonePlan.objects.restrict(request.user, VIEW).select_related("ambito"),
                             pk=pk)
    kinds = [(ReportJob.Kind.ZONE_PLAN, ReportJob.Kind.ZONE_PLAN.label)]
    return _request_page(request, target=plan, kinds=kinds, template_context={
        "title": f"Report – {plan.title} ({plan.ambito.name})", "target": plan,
        "state": "approvato" if (plan.approval_id or plan.approved_on) else "bozza",
        "jobs": _jobs(request, zone_plan=plan),
    })


@staff_member_required
def job_detail(request, pk):
    job = get_object_or_404(
        ReportJob.objects.restrict(request.user, VIEW).select_related(
            "ambito", "operating_plan", "zone_plan", "requested_by"
        ),
        pk=pk,
    )
    return render(request, "reports/pages/job.html", {
        "title": f"{job.get_kind_display()} – {job.target}", "job": job,
        # Waiting for the broker can take long: no refresh every 3 s, the page says to reload.
        "refresh": job.state in (ReportJob.State.QUEUED, ReportJob.State.RUNNING),
        "queue_unavailable": QUEUE_UNAVAILABLE,
    })


@staff_member_required
def job_download(request, pk):
    job = get_object_or_404(
        ReportJob.objects.restrict(request.user, VIEW).select_related(
            "ambito", "operating_plan", "zone_plan"
        ),
        pk=pk, state=ReportJob.State.READY,
    )
    # Never a half-written or vanished file: only a complete PDF is served as the report.
    if not report_file_is_complete(job):
        raise Http404("Il file del report non è disponibile o è incompleto: richiederlo di nuovo.")
    return FileResponse(job.file.open("rb"), as_attachment=True, filename=job.filename,
                        content_type="application/pdf")
