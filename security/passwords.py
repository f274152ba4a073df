from django.contrib.auth.password_validation import MinimumLengthValidator


class ItalianMinimumLengthValidator(MinimumLengthValidator):
    """Django's Italian catalogue lacks the plural form used for 12: the message came out
    in English ("This password is too short…")."""

    def get_error_message(self):
        return (f"Questa password è troppo corta. Deve contenere almeno {self.min_length} "
                "caratteri.")

    def get_help_text(self):
        return f"La password deve contenere almeno {self.min_length} caratteri."
