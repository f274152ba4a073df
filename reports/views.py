"""Report pages in the app's layout: request a PDF for a plan, follow it, download it, and
the archive of what was printed before.

Every object is read through ``restrict(user, "view")``: a job or plan of another
ambito does not exist for the user (404). Whoever reads a plan may have its PDF made.
The request only records the job: the PDF is rendered by a Celery worker, or without a
broker by a thread of this process after the response (reports/background.py).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from core.entry.access import LOGIN_URL, plan_context
from core.roles import VIEW
from objectives.models import OperatingPlan, ZonePlan
from reports.models import ReportJob

from .builders import BUILDERS, ReportError
from .jobs import QUEUE_UNAVAILABLE, report_file_is_complete, report_job_request

ARCHIVE_ROWS = 50
logged_in = login_required(login_url=LOGIN_URL)

PLAN_KINDS = [
    (ReportJob.Kind.OPERATING_PLAN, ReportJob.Kind.OPERATING_PLAN.label),
    (ReportJob.Kind.FINAL_REPORT, ReportJob.Kind.FINAL_REPORT.label),
]


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
    """The archive: the latest requests first, each with its file's size when it is there."""
    jobs = list(ReportJob.objects.restrict(request.user, VIEW).filter(**flt)
                .select_related("requested_by", "operating_plan", "zone_plan", "ambito")
                .order_by("-created_at", "-pk")[:ARCHIVE_ROWS])
    for job in jobs:
        job.size = None
        if job.state == ReportJob.State.READY and job.file:
            try:
                job.size = job.file.storage.size(job.file.name)
            except OSError:
                job.size = None  # the file is gone: the page says so instead of a link
    return jobs


@logged_in
def report_index(request):
    plans = (OperatingPlan.objects.restrict(request.user, VIEW)
             .select_related("zone_plan__ambito").order_by("zone_plan__ambito__name", "-year"))
    zone_plans = (ZonePlan.objects.restrict(request.user, VIEW).select_related("ambito")
                  .order_by("ambito__name", "-start_year"))
    return render(request, "reports/pages/index.html", {
        "page_title": "Report PDF", "plans": plans, "zone_plans": zone_plans,
        "jobs": _jobs(request), "jobs_caption": "Report richiesti di recente, di tutti i piani",
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
@logged_in
@require_http_methods(["GET", "POST"])
def operating_plan_reports(request, pk):
    plan = get_object_or_404(
        OperatingPlan.objects.restrict(request.user, VIEW).select_related("zone_plan__ambito"),
        pk=pk,
    )
    zone_plan = ZonePlan.objects.restrict(request.user, VIEW).filter(pk=plan.zone_plan_id).first()
    return _request_page(request, target=plan, kinds=PLAN_KINDS, template_context={
        **plan_context(request.user, plan, nav="reports"),
        "page_title": f"Report – {plan.title}", "target": plan, "zone_plan": zone_plan,
        "state": plan.get_state_display(), "jobs": _jobs(request, operating_plan=plan),
    })


# Not atomic as a request: the service commits the job itself, so that the broker's
# answer (on commit) is known before the page chooses its message.
@transaction.non_atomic_requests
@logged_in
@require_http_methods(["GET", "POST"])
def zone_plan_reports(request, pk):
    plan = get_object_or_404(ZonePlan.objects.restrict(request.user, VIEW).select_related("ambito"),
                             pk=pk)
    kinds = [(ReportJob.Kind.ZONE_PLAN, ReportJob.Kind.ZONE_PLAN.label)]
    return _request_page(request, target=plan, kinds=kinds, template_context={
        "page_title": f"Report – {plan.title}", "target": plan, "ambito": plan.ambito,
        "state": "approvato" if (plan.approval_id or plan.approved_on) else "bozza",
        "jobs": _jobs(request, zone_plan=plan),
    })


@logged_in
def job_detail(request, pk):
    job = get_object_or_404(
        ReportJob.objects.restrict(request.user, VIEW).select_related(
            "ambito", "operating_plan__zone_plan__ambito", "zone_plan", "requested_by"
        ),
        pk=pk,
    )
    context = (plan_context(request.user, job.operating_plan, nav="reports")
               if job.operating_plan_id else {"ambito": job.ambito})
    return render(request, "reports/pages/job.html", {
        **context, "page_title": f"{job.get_kind_display()} – {job.target}", "job": job,
        # Waiting for the broker can take long: no refresh every 3 s, the page says to reload.
        "refresh": job.state in (ReportJob.State.QUEUED, ReportJob.State.RUNNING),
        "queue_unavailable": QUEUE_UNAVAILABLE,
    })


@logged_in
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
