"""Which plan a report is about: an ambito (by name or code, in part) and a year."""

from django.db.models import Q

from governance.models import Ambito
from objectives.models import OperatingPlan, ZonePlan

from .builders import KIND_FINAL_REPORT, KIND_OPERATING_PLAN, KIND_ZONE_PLAN, ReportError

KINDS = (KIND_OPERATING_PLAN, KIND_FINAL_REPORT, KIND_ZONE_PLAN)


def find_ambito(text, *, queryset=None):
    """The one ambito whose name or code contains ``text`` (case-insensitive)."""
    text = (text or "").strip()
    if not text:
        raise ReportError("Indicare l'ambito (nome o codice, anche in parte).")
    ambiti = queryset if queryset is not None else Ambito.objects.all()
    exact = list(ambiti.filter(Q(slug__iexact=text) | Q(name__iexact=text)))
    if len(exact) == 1:
        return exact[0]
    found = list(ambiti.filter(Q(name__icontains=text) | Q(slug__icontains=text)).order_by("name"))
    if not found:
        raise ReportError(f"Nessun ambito corrisponde a «{text}».")
    if len(found) > 1:
        names = ", ".join(a.name for a in found)
        raise ReportError(f"«{text}» corrisponde a più ambiti ({names}): indicarne uno solo.")
    return found[0]


def find_target(kind, ambito, year):
    """The operating plan of ``year``, or the zone plan whose period contains it."""
    if kind not in KINDS:
        raise ReportError(f"Tipo di report sconosciuto: «{kind}» (previsti: {', '.join(KINDS)}).")
    if kind == KIND_ZONE_PLAN:
        plan = (
            ZonePlan.objects.filter(ambito=ambito, start_year__lte=year, end_year__gte=year)
            .order_by("-start_year").first()
        )
        if plan is None:
            raise ReportError(f"Nessun Piano di Zona dell'{ambito.name} comprende l'anno {year}.")
        return plan
    plan = OperatingPlan.objects.filter(zone_plan__ambito=ambito, year=year).first()
    if plan is None:
        raise ReportError(f"Nessun Piano Operativo {year} per l'{ambito.name}.")
    return plan
