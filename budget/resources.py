"""Budget lines in and out of Excel/CSV (admin and the objective's budget page)."""

import copy

from django.core.exceptions import ValidationError
from django.db.models import Max
from import_export import fields

from core.entry.access import policy_for
from core.entry.spreadsheets import (
    MONEY_FORMAT,
    EntryResource,
    ItalianDecimalWidget,
    RowError,
    TextWidget,
)
from core.roles import CHANGE
from objectives.models import Action

from . import services
from .models import BudgetLine, FundingChannel

BUDGET_FIELDS = ("item", "note", "channel_id", "preventivo")


def _number(value, what, errors, column):
    if value in (None, ""):
        errors.setdefault(column, []).append(f"Indica il numero {what}.")
        return None
    try:
        number = float(str(value).replace(",", "."))
    except ValueError:
        number = None
    if number is None or not number.is_integer() or number < 0:
        errors.setdefault(column, []).append(f"«{value}» non è un numero {what} valido.")
        return None
    return int(number)


class BudgetLineResource(EntryResource):
    line_id = fields.Field(column_name="ID riga", widget=TextWidget())
    ambito = fields.Field(column_name="Ambito", widget=TextWidget())
    year = fields.Field(column_name="Anno", widget=TextWidget())
    objective = fields.Field(column_name="Obiettivo", widget=TextWidget())
    action_number = fields.Field(column_name="Azione", widget=TextWidget())
    action_title = fields.Field(column_name="Titolo azione", widget=TextWidget())
    item = fields.Field(attribute="item", column_name="Voce", widget=TextWidget())
    note = fields.Field(attribute="note", column_name="Nota", widget=TextWidget())
    channel_code = fields.Field(column_name="Canale", widget=TextWidget())
    preventivo = fields.Field(
        attribute="preventivo", column_name="Preventivo",
        widget=ItalianDecimalWidget(places=2, label="Il preventivo"),
    )
    consuntivo = fields.Field(
        attribute="consuntivo", column_name="Consuntivo",
        widget=ItalianDecimalWidget(places=2, label="Il consuntivo"),
    )

    required_fields = ("line_id", "objective", "action_number", "item", "preventivo")
    number_formats = {"Preventivo": MONEY_FORMAT, "Consuntivo": MONEY_FORMAT}
    sheet_title = "Righe di budget"
    compared_fields = ("item", "note", "channel_id", "preventivo", "consuntivo")
    labels = {"item": "Voce", "note": "Nota", "channel_id": "Canale",
              "preventivo": "Preventivo", "consuntivo": "Consuntivo"}

    class Meta(EntryResource.Meta):
        model = BudgetLine
        fields = ("line_id", "ambito", "year", "objective", "action_number", "action_title",
                  "item", "note", "channel_code", "preventivo", "consuntivo")
        export_order = fields
        import_id_fields = ("line_id",)

    @classmethod
    def get_display_name(cls):
        return "Righe di budget"

    # -- export -----------------------------------------------------------------------------
    def filter_export(self, queryset, **kwargs):
        return queryset.select_related(
            "action__objective__plan__zone_plan__ambito", "channel"
        ).order_by("action__objective__plan__year", "action__objective__number",
                   "action__number", "position", "pk")

    def dehydrate_line_id(self, line):
        return line.pk

    def dehydrate_ambito(self, line):
        return line.action.objective.plan.zone_plan.ambito.name

    def dehydrate_year(self, line):
        return line.action.objective.plan.year

    def dehydrate_objective(self, line):
        return line.action.objective.number

    def dehydrate_action_number(self, line):
        return line.action.number

    def dehydrate_action_title(self, line):
        return line.action.title

    def dehydrate_channel_code(self, line):
        return line.channel.code if line.channel_id else ""

    # -- import -----------------------------------------------------------------------------
    def preload(self):
        objective = self.context.get("objective")
        actions = Action.objects.restrict(self.user, CHANGE).select_related(
            "objective__plan__zone_plan__ambito"
        )
        lines = BudgetLine.objects.restrict(self.user, CHANGE)
        if objective is not None:
            actions = actions.filter(objective=objective)
            lines = lines.filter(action__objective=objective)
        self.actions = {}
        for action in actions:
            plan = action.objective.plan
            key = (plan.zone_plan.ambito.name.casefold(), plan.year,
                   action.objective.number, action.number)
            self.actions[key] = action
        self.ambiti = {a.objective.plan.zone_plan.ambito for a in self.actions.values()}
        self.lines = {line.pk: line for line in lines.select_related("channel")}
        self.actions_by_id = {a.pk: a for a in self.actions.values()}
        self.channels = {
            (c.ambito_id, c.code.casefold()): c
            for c in FundingChannel.objects.filter(ambito__in=self.ambiti)
        }
        self.next_position = {
            row["action"]: (row["top"] or 0) + 1
            for row in BudgetLine.objects.filter(action__in=self.actions_by_id)
            .values("action").annotate(top=Max("position")).order_by()
        }
        self.snapshots = {}
        self.warnings = []

    def find_instance(self, row):
        raw = row.get("ID riga")
        if raw in (None, ""):
            return None
        try:
            pk = int(float(str(raw)))
        except ValueError:
            raise ValidationError({"ID riga": [f"«{raw}» non è un ID di riga valido."]}) from None
        line = self.lines.get(pk)
        if line is None:
            raise ValidationError({"ID riga": [
                f"la riga con ID {pk} non esiste tra quelle che puoi modificare: lascia vuota "
                "la colonna per aggiungere una riga nuova."
            ]})
        if pk in self.seen:
            raise ValidationError({"ID riga": [f"la riga con ID {pk} compare più volte nel file."]})
        self.seen.add(pk)
        self.snapshots[pk] = copy.copy(line)
        return line

    def resolve(self, line, row, errors):
        objective = self.context.get("objective")
        number = _number(row.get("Obiettivo"), "dell'obiettivo", errors, "Obiettivo")
        action_number = _number(row.get("Azione"), "dell'azione", errors, "Azione")
        if number is None or action_number is None:
            return
        if objective is not None:
            if number != objective.number:
                raise RowError(
                    f"la riga riguarda l'obiettivo {number}, ma stai importando il budget "
                    f"dell'obiettivo {objective.number}."
                )
            ambito = objective.plan.zone_plan.ambito.name
            year = objective.plan.year
        else:
            ambito = str(row.get("Ambito") or "").strip()
            year = _number(row.get("Anno"), "dell'anno", errors, "Anno")
            if not ambito and len(self.ambiti) == 1:
                ambito = next(iter(self.ambiti)).name
        action = self.actions.get((ambito.casefold(), year, number, action_number))
        if action is None:
            raise RowError(
                f"l'azione {action_number} dell'obiettivo {number} ({ambito or 'ambito?'}, "
                f"{year}) non è tra quelle che puoi modificare."
            )
        if line.pk and line.action_id != action.pk:
            raise RowError("una riga esistente non si sposta in un'altra azione.")
        code = str(row.get("Canale") or "").strip()
        channel = None
        if code:
            channel = self.channels.get((action.objective.plan.zone_plan.ambito_id,
                                         code.casefold()))
            if channel is None:
                errors.setdefault("Canale", []).append(
                    f"il canale «{code}» non esiste nell'ambito."
                )
                return
        line.action = action
        line.channel = channel
        if line.preventivo is None:
            errors.setdefault("preventivo", []).append(
                "Inserisci il preventivo (0 se non previsto)."
            )
            return
        self._check_policy(line, action)
        if line.pk is None:
            line.position = self.next_position.get(action.pk, 0)
            self.next_position[action.pk] = line.position + 1

    def _check_policy(self, line, action):
        plan = action.objective.plan
        policy = policy_for(plan)
        before = self.snapshots.get(line.pk)
        budget_changed = before is None or any(
            getattr(before, name) != getattr(line, name) for name in BUDGET_FIELDS
        )
        consuntivo_changed = before is not None and before.consuntivo != line.consuntivo
        if before is None and line.consuntivo is not None:
            raise RowError("il consuntivo si inserisce solo su righe già approvate.")
        if budget_changed and not policy.budget_editable:
            raise RowError(policy.notice)
        if consuntivo_changed and plan.state != "approvato":
            raise RowError(
                f"il {plan.title} è {plan.get_state_display().lower()}: il consuntivo si "
                "inserisce solo in un piano approvato."
            )

    def do_instance_save(self, instance, is_create):
        before = self.snapshots.get(instance.pk) or BudgetLine(action=instance.action)
        self.warnings += services.budget_line_entry_problems(
            line=before, preventivo=instance.preventivo, consuntivo=instance.consuntivo,
            channel=instance.channel,
        )
        super().do_instance_save(instance, is_create)
