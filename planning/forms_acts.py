"""Forms of the acts (deliberazioni, determinazioni, decreti, accordi di programma).

The rules (duplicates, the act's date against the plan's year, the attached PDF)
live in governance/services.py and objectives/services.py; the forms only ask
them early, to put each answer at its field.
"""

from django import forms

from core.entry.fields import MoneyField
from core.uploads import ACTS, check_upload
from governance.models import Body, Deliberation
from governance.services import deliberation_duplicate, duplicate_message
from objectives.services import act_date_problem


class StyledFormMixin:
    """Bootstrap Italia classes, and errors tied to their field for screen readers."""

    def style(self):
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css
            bound = self[name]
            described = []
            if field.help_text:
                described.append(f"{bound.auto_id}_help")
            if self.is_bound and self.errors.get(name):
                widget.attrs["class"] += " is-invalid"
                widget.attrs["aria-invalid"] = "true"
                described.append(f"{bound.auto_id}_error")
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def full_clean(self):
        super().full_clean()
        self.style()


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


def act_label(deliberation):
    issuer = deliberation.body.name if deliberation.body_id else deliberation.issuer
    subject = deliberation.subject if len(deliberation.subject) <= 80 else (
        deliberation.subject[:79] + "…"
    )
    return f"{issuer or 'Atto'} – {deliberation} – {subject}"


class ActChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return act_label(obj)


class NewActFields(forms.Form):
    """The fields of a new act, with the early checks (date, duplicate) at their field."""

    body = forms.ModelChoiceField(
        label="Organismo", queryset=Body.objects.none(), required=False,
        help_text="L'organismo dell'ambito che ha adottato l'atto (es. Assemblea dei Sindaci).",
    )
    issuer = forms.CharField(
        label="Ente emanante", max_length=250, required=False,
        help_text="Solo per gli atti di enti esterni all'ambito o per gli accordi di programma.",
    )
    number = forms.CharField(label="Numero", max_length=60, required=False)
    date = forms.DateField(label="Data", required=False, widget=DateInput())
    subject = forms.CharField(label="Oggetto", required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
    act = forms.FileField(label="Atto allegato (PDF)", required=False,
                          help_text="Il file PDF dell'atto firmato.")

    ambito = None
    not_before = None  # the first year the act may be dated
    not_after = None  # the last one (variations)
    act_required = True
    number_required = True

    def setup_act(self, *, ambito, not_before=None, not_after=None, bodies=None):
        self.ambito, self.not_before, self.not_after = ambito, not_before, not_after
        queryset = bodies if bodies is not None else Body.objects.filter(ambito=ambito)
        self.fields["body"].queryset = queryset.order_by("position", "name")

    def clean_act(self):
        upload = self.cleaned_data.get("act")
        return check_upload(upload, ACTS) if upload else upload

    def clean_new_act(self, data):
        """Check the new act's fields; errors go to their field."""
        required = {"date": "Indicare la data dell'atto.",
                    "subject": "Indicare l'oggetto dell'atto."}
        if self.number_required:
            required["number"] = "Indicare il numero dell'atto."
        if self.act_required:
            required["act"] = "Allegare il PDF dell'atto."
        for name, message in required.items():
            if not data.get(name) and name not in self.errors:
                self.add_error(name, message)
        if not data.get("body") and not (data.get("issuer") or "").strip():
            self.add_error("body", "Indicare l'organismo che ha adottato l'atto o l'ente emanante.")
        problem = act_date_problem(data.get("date"), not_before=self.not_before,
                                   not_after=self.not_after)
        if problem:
            self.add_error("date", problem)
        existing = deliberation_duplicate(
            ambito=self.ambito, body=data.get("body"), issuer=data.get("issuer", ""),
            number=data.get("number", ""), date=data.get("date"),
        )
        if existing is not None:
            self.add_error("number", duplicate_message(existing))

    def new_act_kwargs(self):
        data = self.cleaned_data
        fields = ("body", "issuer", "number", "date", "subject")
        return {name: data.get(name) for name in fields} | {"act": data.get("act") or None}

    def apply_service_error(self, exc):
        """Put a ValidationError of a service at its fields (or on top of the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                target = field if field in self.fields else None
                for error in errors:
                    self.add_error(target, error)
        else:
            for message in exc.messages:
                self.add_error(None, message)


class ActForm(StyledFormMixin, NewActFields):
    """Register an act of an ambito (the acts page)."""

    approves = forms.ChoiceField(label="Tipo (che cosa approva)",
                                 choices=Deliberation.Subject.choices,
                                 initial=Deliberation.Subject.OTHER)
    field_order = ["body", "issuer", "number", "date", "subject", "approves", "act"]
    act_required = False

    def __init__(self, *args, ambito, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_act(ambito=ambito)

    def clean(self):
        data = super().clean()
        self.clean_new_act(data)
        return data


class ActSearchForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label="Testo nell'oggetto", required=False)
    number = forms.CharField(label="Numero", required=False)
    date_from = forms.DateField(label="Dal", required=False, widget=DateInput())
    date_to = forms.DateField(label="Al", required=False, widget=DateInput())
    approves = forms.ChoiceField(
        label="Tipo", required=False,
        choices=[("", "Tutti i tipi"), *Deliberation.Subject.choices],
    )

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "La data finale precede quella iniziale.")
        return data

    def filter(self, queryset):
        if not self.is_valid():
            return queryset
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.filter(subject__icontains=data["q"])
        if data.get("number"):
            queryset = queryset.filter(number__icontains=data["number"])
        if data.get("date_from"):
            queryset = queryset.filter(date__gte=data["date_from"])
        if data.get("date_to"):
            queryset = queryset.filter(date__lte=data["date_to"])
        if data.get("approves"):
            queryset = queryset.filter(approves=data["approves"])
        return queryset


class ActChoiceMixin:
    """Choose the act among those of the ambito, or register a new one in the same step."""

    MODE_CHOICES = [
        ("new", "Registra un nuovo atto"), ("existing", "Scegli un atto già registrato"),
    ]

    def setup_choice(self, *, ambito, not_before, not_after=None, approves=None):
        acts = Deliberation.objects.filter(ambito=ambito).select_related("body")
        if not_before is not None:
            acts = acts.filter(date__year__gte=not_before)
        if not_after is not None:
            acts = acts.filter(date__year__lte=not_after)
        if approves is not None:
            acts = acts.filter(approves=approves)
        self.fields["existing"].queryset = acts.order_by("-date", "number")

    def clean_choice(self, data):
        if data.get("mode") == "existing":
            if not data.get("existing") and "existing" not in self.errors:
                self.add_error("existing", "Scegliere l'atto dall'elenco.")
            for name in ("body", "issuer", "number", "date", "subject", "act"):
                self.errors.pop(name, None)
        elif data.get("mode") == "new":
            self.clean_new_act(data)


def act_choice_fields():
    return {
        "mode": forms.ChoiceField(label="Atto", choices=ActChoiceMixin.MODE_CHOICES,
                                  widget=forms.RadioSelect, initial="new"),
        "existing": ActChoiceField(label="Atto già registrato",
                                   queryset=Deliberation.objects.none(), required=False),
    }


def amount_field(label, label_text):
    return MoneyField(label=label, required=True, label_text=label_text,
                      error_messages={"required": f"Indicare {label_text[0].lower()}"
                                                  f"{label_text[1:]}."})
