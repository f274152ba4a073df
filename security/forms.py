from django import forms


class CodeForm(forms.Form):
    otp_token = forms.RegexField(
        label="Codice di verifica",
        regex=r"^\s*\d{6}\s*$",
        max_length=12,
        help_text="Le 6 cifre mostrate ora dall'app di autenticazione.",
        error_messages={
            "required": "Inserisci il codice di 6 cifre.",
            "invalid": "Il codice è fatto di 6 cifre.",
        },
        widget=forms.TextInput(attrs={
            "autocomplete": "one-time-code", "inputmode": "numeric", "class": "form-control",
            "aria-describedby": "id_otp_token_help",
        }),
    )

    def clean_otp_token(self):
        return self.cleaned_data["otp_token"].strip()

    def refuse(self):
        self.add_error(
            "otp_token",
            "Il codice non è valido o è scaduto: inserisci quello mostrato ora dall'app.",
        )
