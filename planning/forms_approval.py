"""Forms of the approval of a Piano Operativo and of a Piano di Zona."""

from django import forms

from governance.models import Body, Deliberation

from .forms_acts import ActChoiceMixin, NewActFields, StyledFormMixin, act_choice_fields

CONFIRM = "Confermo che l'atto indicato approva il piano e che i dati sono quelli approvati."


class PlanApprovalForm(StyledFormMixin, ActChoiceMixin, NewActFields):
    """The Assemblea's act (new or registered), the stated reasons, the confirmation."""

    field_order = ["mode", "existing", "body", "number", "date", "subject", "act"]

    def __init__(self, *args, plan, zero_objectives, shortfall, **kwargs):
        super().__init__(*args, **kwargs)
        ambito = plan.zone_plan.ambito
        self.plan = plan
        self.fields.update(act_choice_fields())
        self.order_fields(self.field_order)
        self.fields.pop("issuer")
        self.setup_act(ambito=ambito, not_before=plan.year,
                       bodies=Body.objects.filter(ambito=ambito, kind=Body.Kind.MAYORS))
        self.fields["body"].label = "Assemblea dei Sindaci"
        self.fields["body"].help_text = ""
        self.fields["subject"].initial = f"Approvazione del {plan.title}"
        self.setup_choice(ambito=ambito, not_before=plan.year,
                          approves=Deliberation.Subject.OPERATING_PLAN)
        self.fields["existing"].help_text = (
            f"Solo atti dell'{ambito} che approvano un Piano Operativo, dal {plan.year} in poi."
        )
        bodies = self.fields["body"].queryset
        if bodies.count() == 1:
            self.fields["body"].initial = bodies.first().pk
        self.reason_fields = []
        for objective in zero_objectives:
            name = f"reason_{objective.pk}"
            self.fields[name] = forms.CharField(
                label=f"Perché l'obiettivo {objective.number} resta senza risorse",
                required=False, widget=forms.Textarea(attrs={"rows": 2}),
                help_text=f"«{objective.short_title or objective.title}»: la motivazione "
                "resta nella storia dell'obiettivo.",
            )
            self.reason_fields.append(name)
        self.has_shortfall = shortfall > 0
        if self.has_shortfall:
            self.fields["shortfall_note"] = forms.CharField(
                label="Come si copre la scopertura", required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.fields["confirm"] = forms.BooleanField(
            label=CONFIRM, required=True,
            error_messages={"required": "Confermare l'approvazione spuntando la casella."},
        )
        self.zero_objectives = {f"reason_{o.pk}": o for o in zero_objectives}

    def clean(self):
        data = super().clean()
        self.clean_choice(data)
        for name, objective in self.zero_objectives.items():
            if not (data.get(name) or "").strip():
                self.add_error(
                    name, f"L'obiettivo {objective.number} ha 0,00 € di risorse: indicare "
                    "perché, oppure assegnargli le risorse nel budget prima di approvare.",
                )
        if self.has_shortfall and not (data.get("shortfall_note") or "").strip():
            self.add_error("shortfall_note", "Le entrate non coprono il preventivo: indicare "
                                             "come si copre la scopertura.")
        return data

    def zero_budget_reasons(self):
        return {o.pk: self.cleaned_data.get(name, "") for name, o in self.zero_objectives.items()}

    def reason_bound_fields(self):
        return [self[name] for name in self.reason_fields]


class ZonePlanApprovalForm(StyledFormMixin, ActChoiceMixin, NewActFields):
    """The Accordo di programma (or another act) that approves a Piano di Zona."""

    field_order = ["mode", "existing", "issuer", "body", "number", "date", "subject", "act"]
    act_required = False
    number_required = False

    def __init__(self, *args, zone_plan, **kwargs):
        super().__init__(*args, **kwargs)
        ambito = zone_plan.ambito
        not_before = zone_plan.start_year - 1
        self.fields.update(act_choice_fields())
        self.order_fields(self.field_order)
        self.setup_act(ambito=ambito, not_before=not_before)
        self.fields["issuer"].initial = "Accordo di programma"
        self.fields["issuer"].label = "Tipo di atto o ente emanante"
        self.fields["issuer"].help_text = (
            "Di norma l'Accordo di programma tra i Comuni dell'ambito e l'ATS."
        )
        self.fields["body"].required = False
        self.fields["body"].help_text = "Se l'atto è di un organismo dell'ambito."
        self.fields["subject"].initial = f"Accordo di programma per il {zone_plan.title}"
        self.setup_choice(ambito=ambito, not_before=not_before)
        self.fields["existing"].help_text = (
            f"Solo atti dell'{ambito} dal {not_before} in poi."
        )
        self.fields["confirm"] = forms.BooleanField(
            label="Confermo che l'atto indicato approva il Piano di Zona.", required=True,
            error_messages={"required": "Confermare l'approvazione spuntando la casella."},
        )

    def clean(self):
        data = super().clean()
        self.clean_choice(data)
        return data
