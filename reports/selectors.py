"""Territory totals of an Ambito (population and municipal social spending) for the reports.

Money totals of plans come from budget/selectors.py; these are the Comuni's figures,
each total computed by the database from its rows, grouped in one query.
"""

from django.db.models import Count, Sum

from governance.models import MunicipalSpending, PopulationFigure


def population_totals(*, ambito):
    """Population per year: overall, per sub-ambito name and per size class."""
    rows = PopulationFigure.objects.filter(municipality__ambito=ambito)
    totals = {"total": {}, "sub_ambito": {}, "size_class": {}, "count_by_size_class": {}}
    for row in rows.values("year").annotate(total=Sum("value")).order_by("year"):
        totals["total"][row["year"]] = row["total"]
    by_sub = rows.values("year", "municipality__sub_ambito__name").annotate(total=Sum("value"))
    for row in by_sub.order_by():
        name = row["municipality__sub_ambito__name"] or ""
        totals["sub_ambito"].setdefault(name, {})[row["year"]] = row["total"]
    by_class = rows.values("year", "municipality__size_class").annotate(
        total=Sum("value"), count=Count("municipality")
    )
    for row in by_class.order_by():
        name = row["municipality__size_class"]
        totals["size_class"].setdefault(name, {})[row["year"]] = row["total"]
        totals["count_by_size_class"].setdefault(name, {})[row["year"]] = row["count"]
    return totals


def spending_totals(*, ambito):
    """Municipal social spending per year: overall and per size class."""
    rows = MunicipalSpending.objects.filter(municipality__ambito=ambito)
    totals = {"total": {}, "size_class": {}}
    for row in rows.values("year").annotate(total=Sum("amount")).order_by("year"):
        totals["total"][row["year"]] = row["total"]
    by_class = rows.values("year", "municipality__size_class").annotate(total=Sum("amount"))
    for row in by_class.order_by():
        totals["size_class"].setdefault(row["municipality__size_class"], {})[row["year"]] = (
            row["total"]
        )
    return totals
