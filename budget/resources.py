"""Budget lines in and out of Excel/CSV (admin and the objective's budget page)."""

import copy

from django.core.exceptions import ValidationError
from django.db.models import Max
from django.utils.translation import ngettext
from import_export import fields

from core.entry.access import policy_for
from core.entry.spreadsheets import (
    MONEY_FORMAT,
    EntryResource,
    ItalianDecimalWidget,
    RowError,
    TextWidget,
)
from core.roles import CHANGE, VIEW
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
    money_fields = ("preventivo", "consuntivo")

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
    def target_plan(self):
        """The plan every row goes into (the objective's or the plan's page), if any."""
        objective = self.context.get("objective")
        return objective.plan if objective is not None else self.context.get("plan")

    def preload(self):
        objective = self.context.get("objective")
        plan = self.context.get("plan")
        actions = Action.objects.restrict(self.user, CHANGE).select_related(
            "objective__plan__zone_plan__ambito"
        )
        lines = BudgetLine.objects.restrict(self.user, CHANGE)
        if objective is not None:
            actions = actions.filter(objective=objective)
            lines = lines.filter(action__objective=objective)
        elif plan is not None:
            actions = actions.filter(objective__plan=plan)
            lines = lines.filter(action__objective__plan=plan)
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
        self.foreign = {}  # ID of a line of another plan -> (plan title, plan id)
        self.claimed = set()  # lines of the target plan matched by natural key
        self.carried = {"matched": 0, "added": 0, "plans": set()}
        self.row_foreign = None

    # -- a file exported from another year's plan -----------------------------------------
    # Its "ID riga" values are lines of that plan: each row is matched by natural key
    # (objective number, action number, voce, then position) to a line of the plan being
    # imported, or added as a new line; last year's consuntivo is not imported.
    def before_import(self, dataset, **kwargs):
        super().before_import(dataset, **kwargs)
        if "ID riga" not in (dataset.headers or []):
            return
        unknown = set()
        for raw in dataset["ID riga"]:
            try:
                pk = int(float(str(raw)))
            except (TypeError, ValueError):
                continue
            if pk not in self.lines:
                unknown.add(pk)
        if not unknown:
            return
        foreign = BudgetLine.objects.restrict(self.user, VIEW).filter(pk__in=unknown)
        target = self.target_plan()
        if target is not None:
            foreign = foreign.exclude(action__objective__plan=target)
        for pk, title, plan_id, ambito_id in foreign.values_list(
            "pk", "action__objective__plan__title", "action__objective__plan_id",
            "action__objective__plan__zone_plan__ambito_id",
        ):
            if target is None or ambito_id == target.zone_plan.ambito_id:
                self.foreign[pk] = (title, plan_id)
        self.by_key = {}
        if self.foreign:
            for line in sorted(self.lines.values(), key=lambda x: (x.position, x.pk)):
                self.by_key.setdefault(line.action_id, []).append(line)

    def _row_action(self, row):
        """The action of the target plan a row names (None when it cannot tell)."""
        target = self.target_plan()
        try:
            number = int(float(str(row.get("Obiettivo"))))
            action_number = int(float(str(row.get("Azione"))))
            if target is not None:
                ambito, year = target.zone_plan.ambito.name, target.year
            else:
                ambito = str(row.get("Ambito") or "").strip()
                year = int(float(str(row.get("Anno"))))
        except (TypeError, ValueError):
            return None
        return self.actions.get((ambito.casefold(), year, number, action_number))

    def _foreign_match(self, pk, row):
        """The line of the target plan that row ``pk`` of another plan stands for, by
        natural key (same action, same voce, the same nota first), or None: a new line."""
        self.row_foreign = pk
        self.carried["plans"].add(self.foreign[pk][0])
        action = self._row_action(row)
        if action is None:
            return None  # resolve() names the row's problem
        item = str(row.get("Voce") or "").strip().casefold()
        note = str(row.get("Nota") or "").strip().casefold()
        candidates = [
            line for line in self.by_key.get(action.pk, ())
            if line.pk not in self.claimed and line.item.strip().casefold() == item
        ]
        candidates.sort(key=lambda line: line.note.strip().casefold() != note)
        if not candidates:
            self.carried["added"] += 1
            return None
        line = candidates[0]
        self.claimed.add(line.pk)
        self.carried["matched"] += 1
        self.snapshots[line.pk] = copy.copy(line)
        return line

    def after_import(self, dataset, result, **kwargs):
        super().after_import(dataset, result, **kwargs)
        carried = self.carried
        if carried["plans"]:
            plans = ", ".join(sorted(carried["plans"]))
            self.warnings.insert(0, (
                f"Il file viene da un altro piano ({plans}): "
                + ngettext("%(n)d riga abbinata", "%(n)d righe abbinate", carried["matched"])
                % {"n": carried["matched"]}
                + " per obiettivo, azione e voce a righe di questo piano, "
                + ngettext("%(n)d aggiunta come riga nuova", "%(n)d aggiunte come righe nuove",
                           carried["added"]) % {"n": carried["added"]}
                + "; il consuntivo del file non è stato importato."
            ))

    def find_instance(self, row):
        self.row_foreign = None
        raw = row.get("ID riga")
        if raw in (None, ""):
            return None
        try:
            pk = int(float(str(raw)))
        except ValueError:
            raise ValidationError({"ID riga": [f"«{raw}» non è un ID di riga valido."]}) from None
        line = self.lines.get(pk)
        if line is None and pk in self.foreign:
            if pk in self.seen:
                raise ValidationError(
                    {"ID riga": [f"la riga con ID {pk} compare più volte nel file."]}
                )
            self.seen.add(pk)
            return self._foreign_match(pk, row)
        if line is None:
            raise ValidationError({"ID riga": [
                f"la riga con ID {pk} non esiste tra quelle che puoi modificare: lascia vuota "
                "la colonna per aggiungere una riga nuova."
            ]})
        if pk in self.seen or pk in self.claimed:
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
        target = self.target_plan()
        if objective is not None and number != objective.number:
            raise RowError(
                f"la riga riguarda l'obiettivo {number}, ma stai importando il budget "
                f"dell'obiettivo {objective.number}."
            )
        if target is not None:
            ambito = target.zone_plan.ambito.name
            year = target.year
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
        if self.row_foreign is not None:
            # Last year's consuntivo stays in last year's plan.
            before = self.snapshots.get(line.pk)
            line.consuntivo = before.consuntivo if before is not None else None
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


class PlanConsuntivoResource(BudgetLineResource):
    """The consuntivo of a whole approved plan from its Excel export (the plan's budget
    page, planning/views_income.py): only the «Consuntivo» column is applied. A row whose
    voce, nota, canale or preventivo differ from the approved line, a new row or a row of
    another plan is refused with the reason (it changes only with a variation); one
    refused row and nothing is written."""

    LABELS = {"item": "la voce", "note": "la nota", "channel_id": "il canale",
              "preventivo": "il preventivo"}

    def _check_policy(self, line, action):
        from objectives.freeze import frozen_message

        plan = action.objective.plan
        if plan.state != "approvato":
            raise RowError(
                f"il {plan.title} è {plan.get_state_display().lower()}: il consuntivo si "
                "importa solo in un piano approvato."
            )
        before = self.snapshots.get(line.pk)
        if self.row_foreign is not None:
            raise RowError("la riga viene da un altro piano: il consuntivo si importa dal "
                           f"file del {plan.title}.")
        frozen = frozen_message(plan)
        frozen = frozen[0].lower() + frozen[1:].rstrip(".")
        if before is None:
            raise RowError(f"una riga nuova non si aggiunge qui ({frozen}).")
        changed = [label for name, label in self.LABELS.items()
                   if getattr(before, name) != getattr(line, name)]
        if changed:
            verb = "si cambia" if len(changed) == 1 else "si cambiano"
            raise RowError(f"{' e '.join(changed)} non {verb} qui ({frozen}).")
