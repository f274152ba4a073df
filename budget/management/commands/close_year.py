"""Close a year of a Piano Operativo from the command line (or preview it with --dry-run)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from budget.services import year_close
from budget.surplus import group_by_objective, year_close_preview
from core.formatting import format_euro
from governance.models import Ambito
from objectives.models import OperatingPlan


def find_plan(ambito_text, year):
    """The operating plan of ``year`` of the one ambito whose name or code contains the text."""
    text = ambito_text.strip()
    ambiti = list(Ambito.objects.filter(Q(name__icontains=text) | Q(slug__icontains=text)))
    if not text or not ambiti:
        raise CommandError(f"Nessun ambito corrisponde a «{ambito_text}».")
    if len(ambiti) > 1:
        names = ", ".join(a.name for a in ambiti)
        raise CommandError(f"«{ambito_text}» corrisponde a più ambiti ({names}): precisare.")
    ambito = ambiti[0]
    plan = OperatingPlan.objects.filter(zone_plan__ambito=ambito, year=year).first()
    if plan is None:
        raise CommandError(f"L'{ambito} non ha un Piano Operativo {year}.")
    return plan


class Command(BaseCommand):
    help = (
        "Chiude l'anno di un Piano Operativo: calcola l'avanzo per obiettivo e azione, "
        "vincolato e non vincolato, e lo porta tra le entrate dell'anno dopo. "
        "Con --dry-run mostra soltanto il calcolo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--ambito", required=True, help="parte del nome o del codice")
        parser.add_argument("--year", required=True, type=int, help="anno del piano (AAAA)")
        parser.add_argument(
            "--dry-run", action="store_true", help="mostra il calcolo senza modificare nulla"
        )

    def handle(self, *args, ambito, year, dry_run, **options):
        plan = find_plan(ambito, year)
        if dry_run:
            self._print(year_close_preview(plan=plan))
            self.stdout.write("Anteprima: nessun dato modificato.")
            return
        try:
            result = year_close(plan=plan, user=None)
        except ValidationError as exc:
            raise CommandError("\n".join(["Chiusura non eseguita:", *exc.messages])) from exc
        if result.already_closed:
            self.stdout.write(f"Il {plan.title} è già chiuso: nessuna modifica.")
            return
        self._print(result.preview)
        created = " (creato in bozza)" if result.created_next_plan else ""
        self.stdout.write(self.style.SUCCESS(
            f"{plan.title} chiuso. L'avanzo entra nel {result.next_plan.title}{created}."
        ))

    def _print(self, preview):
        out = self.stdout.write
        plan = preview.plan
        out(f"{plan.title} – {plan.zone_plan.ambito} (stato: {plan.get_state_display()})")
        out(f"Entrate {plan.year} ({preview.stage}): {format_euro(preview.income)}")
        out(f"Spese a consuntivo: {format_euro(preview.spent)}")
        out(f"Avanzo di gestione: {format_euro(preview.total)}")
        out("")
        out("Economie per obiettivo e azione (preventivo − consuntivo):")
        for objective, results in group_by_objective(preview):
            out(f"Obiettivo {objective.number} – {objective.short_title or objective.title}")
            for r in results:
                out(
                    f"  Azione {r.action.number} – {r.action.title}: {format_euro(r.total)} "
                    f"(fondi vincolati {format_euro(r.restricted)}, "
                    f"fondo indistinto {format_euro(r.unrestricted)})"
                )
        out("")
        out("Fondi vincolati (entrate − spese):")
        for f in preview.funds:
            out(
                f"  {f.channel.code}: entrate {format_euro(f.income)}, preventivo "
                f"{format_euro(f.preventivo)}, consuntivo {format_euro(f.consuntivo)}, "
                f"avanzo vincolato {format_euro(f.avanzo)}"
            )
        out("")
        out("Righe di avanzo:")
        for row in preview.rows:
            kind = "vincolato" if row.restricted else "non vincolato"
            where = f" [{row.reference}]" if row.reference else ""
            out(f"  {row.description}{where} ({kind}): {format_euro(row.amount)}")
        out("")
        out(f"Totale avanzo vincolato: {format_euro(preview.restricted)}")
        out(f"Totale avanzo non vincolato: {format_euro(preview.unrestricted)}")
        for warning in preview.warnings:
            out(f"Avviso: {warning}")
        for error in preview.errors:
            out(f"Da sistemare: {error}")
