"""Close a year of a Piano Operativo from the command line (or preview it with --dry-run)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from budget.destination import destination_summary
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
            preview = year_close_preview(plan=plan)
            self._print(preview)
            self._print_destination(destination_summary(plan=plan, preview=preview))
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
        self._print_destination(destination_summary(plan=plan, preview=result.preview))
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
        out("Proposta: righe di avanzo calcolate:")
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

    def _print_destination(self, summary):
        out = self.stdout.write
        destination = summary.destination
        out("")
        if destination is None:
            out("Destinazione dell'avanzo decisa dall'Assemblea: non ancora registrata.")
            return
        act = f", atto: {destination.deliberation}" if destination.deliberation else ""
        source = ", riportata dal documento" if destination.from_document else ""
        out(f"Destinazione dell'avanzo decisa dall'Assemblea "
            f"({destination.get_state_display().lower()}{act}{source}):")
        for row in summary.rows:
            kind = "vincolato" if row.restricted else "non vincolato"
            fund = row.channel.code if row.channel else "fondo indistinto"
            origin = ""
            if row.source_action is not None:
                origin = (f" [da Obiettivo {row.source_action.objective.number} - "
                          f"Azione {row.source_action.number}]")
            elif row.source_objective is not None:
                origin = f" [da Obiettivo {row.source_objective.number}]"
            if row.target_action is not None:
                target = (f" → Obiettivo {row.target_action.objective.number} - "
                          f"Azione {row.target_action.number} del {summary.plan.year + 1}")
            elif row.target_text:
                target = f" → {row.target_text}"
            else:
                target = " → non vincolato" if not row.restricted else " → da destinare"
            out(f"  {row.description}{origin}{target} ({kind}, {fund}): "
                f"{format_euro(row.amount)}")
        out(f"Totale destinato: {format_euro(summary.total)} (vincolato "
            f"{format_euro(summary.restricted)}, non vincolato "
            f"{format_euro(summary.unrestricted)})")
        out(f"Avanzo di gestione: {format_euro(summary.avanzo)}")
        if summary.reconciliation_note:
            out(f"Differenza di riconciliazione: {summary.reconciliation_note}")
        elif not summary.balanced:
            out(f"Da sistemare: {summary.balance_message}")
        out("")
        out("Differenze dalla proposta per fondo (destinazione − proposta):")
        for fund in summary.funds:
            out(f"  {fund.label}: proposta {format_euro(fund.proposal)}, destinazione "
                f"{format_euro(fund.destination)}, differenza {format_euro(fund.difference)}")
